import { zodOutputFormat } from '@anthropic-ai/sdk/helpers/zod';
import type { JSONOutputFormat, Message } from '@anthropic-ai/sdk/resources/messages';
import type { z } from 'zod';
import { schemaIssues } from '../../batch/issues';

/** The model's answer checked against the zod schema: data, or the problems a repair turn names. */
export type CheckedOutput =
  | { valid: true; data: Record<string, unknown>; text: string }
  | { valid: false; issues: string[]; text: string };

/**
 * The structured-output format for a schema, made by the SDK's own zod support
 * (`zodOutputFormat`): the JSON Schema the API constrains decoding with. Only its JSON Schema is
 * sent; the answer is checked by checkOutput with the full zod schema, because constraints that
 * JSON-Schema decoding does not enforce (regex patterns, min lengths) are exactly what zod catches.
 * (`messages.parse` would do the same check but throws on invalid output and hides the response
 * headers the rate limiter reads, so the extractor calls `messages.create(...).withResponse()`.)
 */
export function outputFormat(schema: z.ZodObject): JSONOutputFormat {
  const { type, schema: jsonSchema } = zodOutputFormat(schema);
  return { type, schema: jsonSchema };
}

export function checkOutput(schema: z.ZodObject, text: string): CheckedOutput {
  let json: unknown;
  try {
    json = JSON.parse(stripFences(text));
  } catch (error) {
    return { valid: false, text, issues: [`the answer is not valid JSON (${error instanceof Error ? error.message : String(error)})`] };
  }
  const result = schema.safeParse(json);
  if (result.success) return { valid: true, data: result.data, text };
  return {
    valid: false,
    text,
    issues: schemaIssues(result.error),
  };
}

/** What a message amounts to when it carries no checkable answer (refusal, truncation, no text). */
export function uncheckableOutput(message: Message): CheckedOutput | undefined {
  const text = message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('');
  if (message.stop_reason === 'max_tokens') {
    return { valid: false, text, issues: ['the answer was cut off at max_tokens: give the complete JSON object, with shorter descriptions if needed'] };
  }
  if (message.stop_reason === 'refusal') return { valid: false, text, issues: ['the model refused to answer'] };
  if (text.trim() === '') return { valid: false, text, issues: ['the answer contained no text'] };
  return undefined;
}

function stripFences(text: string): string {
  return text.trim().replace(/^```(?:json)?\s*/i, '').replace(/\s*```$/, '');
}
