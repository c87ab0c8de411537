import type { ExtractorName, SchemaDefinition } from './definition';

/** What a batch asks for: `extractor` and `mode` as in its input. */
export interface ExtractorChoice {
  extractor: 'auto' | ExtractorName;
  mode: 'realtime' | 'batch';
}

/**
 * The extractor that fills a batch's documents. `auto` means Claude when the workers have an API
 * key, the offline extractor otherwise; in batch mode always Claude (Message Batches are
 * Anthropic's), so a keyless worker pauses the batch with the missing-key message rather than
 * quietly extracting offline. Null when it depends on a key nobody here can see (`auto`, realtime,
 * `hasAnthropicKey` unknown: the workers run elsewhere).
 */
export function resolveExtractor({ extractor, mode }: ExtractorChoice, hasAnthropicKey: boolean | undefined): ExtractorName | null {
  if (extractor !== 'auto') return extractor;
  if (mode === 'batch') return 'anthropic';
  if (hasAnthropicKey === undefined) return null;
  return hasAnthropicKey ? 'anthropic' : 'local';
}

/**
 * Why an extractor cannot fill a schema, as one message that says what to do — or null when it
 * can. Checked when a batch starts (the CLI, and planning for any client), so a mismatch is one
 * refusal rather than a failed document per file.
 */
export function extractorMismatch(
  schemaLabel: string,
  schema: Pick<SchemaDefinition, 'extractors'>,
  extractor: ExtractorName,
  chosenBy: 'auto' | 'request',
): string | null {
  if (schema.extractors.includes(extractor)) return null;
  const chosen = chosenBy === 'auto' ? `the ${extractor} extractor ("auto" chose it${extractor === 'local' ? ': no ANTHROPIC_API_KEY where the workers run' : ''})` : `the ${extractor} extractor`;
  const fix =
    extractor === 'local'
      ? 'set ANTHROPIC_API_KEY where the workers run and start the batch with --extractor anthropic (input "extractor": "anthropic"), or pick a schema the local extractor fills'
      : 'start the batch with --extractor local (input "extractor": "local")';
  return `the schema ${schemaLabel} cannot be filled by ${chosen}, only by the ${schema.extractors.join(' or ')} extractor. To extract it, ${fix}`;
}
