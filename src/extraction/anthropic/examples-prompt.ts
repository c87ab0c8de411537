import type { SeedExamples } from '../examples/example';
import { textTokens } from './tokens';

const introduction =
  'Examples: documents of known issuers as a person corrected them. When the document you read is from one of these issuers, read it the way its examples show: the same labels and places hold the same fields. The values in the examples belong to those documents only: never copy one into your answer.';

/**
 * The seed examples as the text of one system block: whole examples, the most recently corrected
 * issuers first, while they fit `examples.promptTokens`. The same examples always give the same
 * bytes (the block sits in the cached prefix, so a change of one byte would be a cache miss for
 * every document); null when not one fits.
 */
export function examplesPromptText(examples: SeedExamples): string | null {
  let budget = examples.promptTokens - textTokens(introduction);
  const shown: string[] = [];
  for (const issuer of examples.issuers) {
    for (const example of issuer.examples) {
      const text = `<example issuer=${JSON.stringify(issuer.issuer)}>\n<document>\n${example.text}\n</document>\n<answer>\n${JSON.stringify(example.data)}\n</answer>\n</example>`;
      const tokens = textTokens(text);
      if (tokens > budget) continue;
      shown.push(text);
      budget -= tokens;
    }
  }
  return shown.length === 0 ? null : `${introduction}\n\n${shown.join('\n\n')}`;
}
