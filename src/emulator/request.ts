import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { MediaType } from '../extraction/extractor';
import { imageSize } from '../extraction/formats/image';
import { textInDocumentBlock } from '../extraction/formats/text-block';

/** The parts of a Messages API request body the emulator reads; anything else passes unread. */
const cacheControl = z.object({ type: z.literal('ephemeral'), ttl: z.enum(['5m', '1h']).optional() }).nullish();
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

/**
 * The document a request is about: its document and image blocks (a multi-page image is one image
 * block a page), else the text in <document> tags.
 */
export interface RequestDocument {
  parts: { mediaType: MediaType; bytes: Buffer }[];
  /** sha256 of the document's bytes: how tests and the request log tell documents apart. */
  id: string;
}

export function documentIdentity(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** What the Messages API accepts in base64 sources (vision and PDF-support docs). */
export const apiSourceMediaTypes = { image: ['image/jpeg', 'image/png', 'image/gif', 'image/webp'], document: ['application/pdf'] } as const;
const maxImageBase64Bytes = 5 * 1024 * 1024;
const maxImagesPerRequest = 100;
const maxImageEdge = 8000;

function firstMessageBlocks(request: MessagesRequest): RequestBlock[] {
  const first = request.messages[0]!;
  return typeof first.content === 'string' ? [{ type: 'text', text: first.content }] : first.content;
}

function sourceBlocks(request: MessagesRequest): { type: 'document' | 'image'; source: z.infer<typeof base64Source>; where: string }[] {
  const found: { type: 'document' | 'image'; source: z.infer<typeof base64Source>; where: string }[] = [];
  request.messages.forEach((message, m) => {
    if (typeof message.content === 'string') return;
    message.content.forEach((candidate, c) => {
      if ((candidate.type === 'document' || candidate.type === 'image') && 'source' in candidate) {
        const source = base64Source.safeParse(candidate.source);
        if (source.success) found.push({ type: candidate.type, source: source.data, where: `messages.${m}.content.${c}.${candidate.type}.source.base64` });
      }
    });
  });
  return found;
}

/**
 * Why the real API would refuse the request's document or image blocks (400 invalid_request_error),
 * or undefined: a media type it does not take (TIFF, BMP, HEIC…), an image above 5 MB or 8000 px,
 * more than 100 images.
 */
export function sourceProblem(request: MessagesRequest): string | undefined {
  const sources = sourceBlocks(request);
  for (const { type, source, where } of sources) {
    const accepted: readonly string[] = apiSourceMediaTypes[type];
    if (!accepted.includes(source.media_type)) {
      return `${where}.media_type: Input should be ${accepted.map((t) => `'${t}'`).join(', ')}`;
    }
    if (type === 'image') {
      if (source.data.length > maxImageBase64Bytes) return `${where}: image exceeds 5 MB maximum: ${source.data.length} bytes > ${maxImageBase64Bytes} bytes`;
      const size = imageSize(source.media_type as MediaType, Buffer.from(source.data, 'base64'));
      if (size !== undefined && Math.max(size.width, size.height) > maxImageEdge) return `${where}: image dimensions exceed max allowed size: ${maxImageEdge} pixels`;
    }
  }
  const images = sources.filter((entry) => entry.type === 'image').length;
  if (images > maxImagesPerRequest) return `Too many images and documents: ${images} > ${maxImagesPerRequest}`;
  return undefined;
}

export function requestDocument(request: MessagesRequest): RequestDocument | undefined {
  const blocks = firstMessageBlocks(request);
  const parts = blocks.flatMap((candidate) => {
    if ((candidate.type !== 'document' && candidate.type !== 'image') || !('source' in candidate)) return [];
    const source = base64Source.parse(candidate.source);
    return [{ mediaType: source.media_type as MediaType, bytes: Buffer.from(source.data, 'base64') }];
  });
  if (parts.length > 0) return { parts, id: documentIdentity(Buffer.concat(parts.map((part) => part.bytes))) };
  for (const candidate of blocks) {
    if (candidate.type !== 'text' || !('text' in candidate) || typeof candidate.text !== 'string') continue;
    const bytes = Buffer.from(textInDocumentBlock(candidate.text) ?? candidate.text, 'utf8');
    return { parts: [{ mediaType: 'text/plain', bytes }], id: documentIdentity(bytes) };
  }
  return undefined;
}

/** A block of the prompt and, when it is a cache breakpoint, its cache TTL ('5m' unless `ttl: '1h'`). */
export interface PromptBlock {
  block: unknown;
  cacheTtl: '5m' | '1h' | undefined;
}

const ttlOf = (control: z.infer<typeof cacheControl>): PromptBlock['cacheTtl'] => (control ? (control.ttl === '1h' ? '1h' : '5m') : undefined);

/** Every block of the request in the order the API builds its prompt (and its cache prefix): tools, system, messages. */
export function promptBlocks(request: MessagesRequest): PromptBlock[] {
  const blocks: PromptBlock[] = [];
  for (const tool of request.tools ?? []) blocks.push({ block: { ...tool, cache_control: undefined }, cacheTtl: ttlOf(tool.cache_control) });
  const system = typeof request.system === 'string' ? [{ type: 'text' as const, text: request.system }] : (request.system ?? []);
  for (const entry of system) blocks.push({ block: { ...entry, cache_control: undefined }, cacheTtl: ttlOf(entry.cache_control) });
  for (const message of request.messages) {
    const content: RequestBlock[] = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
    for (const entry of content) blocks.push({ block: { role: message.role, ...entry, cache_control: undefined }, cacheTtl: ttlOf(entry.cache_control) });
  }
  return blocks;
}
