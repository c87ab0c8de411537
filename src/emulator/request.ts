import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { MediaType } from '../extraction/extractor';

/** The parts of a Messages API request body the emulator reads; anything else passes unread. */
const cacheControl = z.object({ type: z.literal('ephemeral'), ttl: z.string().optional() }).nullish();
const textBlock = z.object({ type: z.literal('text'), text: z.string(), cache_control: cacheControl }).loose();
const base64Source = z.object({ type: z.literal('base64'), media_type: z.string(), data: z.string() });
const documentBlock = z.object({ type: z.literal('document'), source: base64Source, cache_control: cacheControl }).loose();
const imageBlock = z.object({ type: z.literal('image'), source: base64Source, cache_control: cacheControl }).loose();
const otherBlock = z.object({ type: z.string(), cache_control: cacheControl }).loose();
const block = z.union([textBlock, documentBlock, imageBlock, otherBlock]);
export type RequestBlock = z.infer<typeof block>;

export const messagesRequestSchema = z
  .object({
    model: z.string().min(1),
    max_tokens: z.number().int().positive(),
    system: z.union([z.string(), z.array(textBlock)]).optional(),
    messages: z
      .array(z.object({ role: z.enum(['user', 'assistant']), content: z.union([z.string(), z.array(block)]) }))
      .min(1),
    output_config: z.object({ format: z.object({ type: z.literal('json_schema'), schema: z.record(z.string(), z.unknown()) }).nullish() }).loose().nullish(),
    tools: z.array(z.object({ name: z.string(), input_schema: z.record(z.string(), z.unknown()), cache_control: cacheControl }).loose()).optional(),
    tool_choice: z.object({ type: z.string(), name: z.string().optional() }).loose().optional(),
    stream: z.boolean().optional(),
  })
  .loose();
export type MessagesRequest = z.infer<typeof messagesRequestSchema>;

/** The document a request is about: the first document or image block, else the text in <document> tags. */
export interface RequestDocument {
  mediaType: MediaType;
  bytes: Buffer;
  /** sha256 of the document's bytes: how tests and the request log tell documents apart. */
  id: string;
}

export function documentIdentity(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function requestDocument(request: MessagesRequest): RequestDocument | undefined {
  const first = request.messages[0]!;
  const blocks: RequestBlock[] = typeof first.content === 'string' ? [{ type: 'text', text: first.content }] : first.content;
  for (const candidate of blocks) {
    if ((candidate.type === 'document' || candidate.type === 'image') && 'source' in candidate) {
      const source = base64Source.parse(candidate.source);
      const bytes = Buffer.from(source.data, 'base64');
      return { mediaType: source.media_type as MediaType, bytes, id: documentIdentity(bytes) };
    }
  }
  for (const candidate of blocks) {
    if (candidate.type !== 'text' || !('text' in candidate) || typeof candidate.text !== 'string') continue;
    const match = /<document>\n?([\s\S]*?)\n?<\/document>/.exec(candidate.text);
    const bytes = Buffer.from(match ? match[1]! : candidate.text, 'utf8');
    return { mediaType: 'text/plain', bytes, id: documentIdentity(bytes) };
  }
  return undefined;
}

/** Every block of the request in the order the API builds its prompt (and its cache prefix): tools, system, messages. */
export function promptBlocks(request: MessagesRequest): { block: unknown; cached: boolean }[] {
  const blocks: { block: unknown; cached: boolean }[] = [];
  for (const tool of request.tools ?? []) blocks.push({ block: { ...tool, cache_control: undefined }, cached: Boolean(tool.cache_control) });
  const system = typeof request.system === 'string' ? [{ type: 'text' as const, text: request.system }] : (request.system ?? []);
  for (const entry of system) blocks.push({ block: { ...entry, cache_control: undefined }, cached: Boolean(entry.cache_control) });
  for (const message of request.messages) {
    const content: RequestBlock[] = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
    for (const entry of content) blocks.push({ block: { role: message.role, ...entry, cache_control: undefined }, cached: Boolean(entry.cache_control) });
  }
  return blocks;
}
