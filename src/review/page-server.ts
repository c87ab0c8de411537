import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { ReviewItem, ReviewView } from '../batch/review';
import { decideReview, fetchReview, ReviewRefusedError, type ReviewDecision } from '../client/batch-review';
import { detectMediaType } from '../extraction/document';
import type { SourceDocument } from '../extraction/extractor';
import { formatText } from '../extraction/formats';
import { renderPagePng, withPdf } from '../extraction/pdf';
import { loadSchema } from '../extraction/schemas/load';
import { objectAt } from '../storage/location';
import type { DocumentResult } from '../store/document-result';
import { batchStorage, readCorrections, readResults } from './batch-outputs';
import { renderReviewPage } from './page';

/**
 * The review page's server: one local HTTP server per `docbatch review`, with the page, the
 * review's state (the workflow's `review` query joined with each queued document's result and
 * current correction), each queued document rendered for the eye, and one POST per decision,
 * which runs the review workflow's update. It holds no state of its own: two pages on two machines
 * see the one state of the workflow.
 */
export interface ReviewPageOptions {
  client: Client;
  batchId: string;
  /** Who decides from this page (`--reviewer`). */
  reviewer: string;
  /** @default "127.0.0.1": the page can approve and correct, so it is not on the network unless asked. */
  host?: string;
  /** @default 0 (any free port) */
  port?: number;
}

export interface ReviewPage {
  url: string;
  close(): Promise<void>;
}

/** PDF pages rendered at this scale (1 = 72 dpi): sharp enough to read amounts beside the form. */
const pageScale = 1.6;
/** Rendered pages kept in memory, newest last. */
const renderedPagesKept = 64;

export async function startReviewPage(options: ReviewPageOptions): Promise<ReviewPage> {
  const { client, batchId, reviewer } = options;
  const initial = await fetchReview(client, batchId);
  const storage = batchStorage(initial.batchLocation);
  const queued = new Set(initial.items.map((item) => item.index));
  // The results of the queued documents do not change under a review: read them once.
  const results = new Map((await readResults(storage, batchId)).filter((result) => queued.has(result.index)).map((result) => [result.index, result]));
  const schema = await loadSchema(initial.schema);
  const jsonSchema = z.toJSONSchema(schema.schema, { unrepresentable: 'any' });
  const rendered = new Map<string, Buffer>();

  async function state(): Promise<unknown> {
    const view: ReviewView = await fetchReview(client, batchId);
    const corrections = await readCorrections(storage);
    const documents = Object.fromEntries(
      view.items.map((item) => {
        const result = results.get(item.index);
        const correction = item.status === 'corrected' && item.correctionId ? corrections.get(item.correctionId) : undefined;
        return [item.index, { warnings: result?.warnings ?? [], error: result?.error ?? null, extracted: result?.data ?? null, corrected: correction?.data ?? null, correctionWarnings: correction?.warnings ?? [] }];
      }),
    );
    return { view, documents, reviewer, schema: { name: schema.name, jsonSchema } };
  }

  function queuedItem(index: number): ReviewItem | undefined {
    return initial.items.find((item) => item.index === index);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://review.local');
    const parts = url.pathname.split('/').filter((part) => part !== '');
    if (request.method === 'GET' && url.pathname === '/') return send(response, 200, 'text/html; charset=utf-8', renderReviewPage(batchId));
    if (request.method === 'GET' && url.pathname === '/favicon.ico') return send(response, 204, 'image/x-icon', '');
    if (request.method === 'GET' && url.pathname === '/api/review') return sendJson(response, 200, await state());
    if (parts[0] === 'api' && parts[1] === 'documents' && parts[2] !== undefined) {
      const index = Number(parts[2]);
      const item = Number.isInteger(index) ? queuedItem(index) : undefined;
      if (!item) return sendJson(response, 404, { error: `document ${parts[2]} is not in the review of batch ${batchId}` });
      if (request.method === 'GET' && parts[3] === 'preview') return sendJson(response, 200, await preview(item));
      if (request.method === 'GET' && parts[3] === 'raw') {
        const document = await loadForView(item.path);
        return send(response, 200, document.mediaType, document.bytes);
      }
      if (request.method === 'GET' && parts[3] === 'pages' && parts[4] !== undefined) return send(response, 200, 'image/png', await renderPage(item, Number(parts[4])));
      // A custom header: a page of another origin cannot send it without a preflight this server never answers.
      if (request.method === 'POST' && request.headers['x-docbatch-review'] !== '1') return sendJson(response, 403, { error: 'decisions come from the review page (header x-docbatch-review: 1)' });
      if (request.method === 'POST' && parts[3] !== undefined) return decide(response, index, parts[3], await readBody(request));
    }
    return sendJson(response, 404, { error: `no ${request.method ?? ''} ${url.pathname} here` });
  }

  async function decide(response: ServerResponse, document: number, action: string, body: Record<string, unknown>): Promise<void> {
    const by = typeof body.by === 'string' && body.by.trim() !== '' ? body.by : reviewer;
    let decision: ReviewDecision;
    switch (action) {
      case 'approve':
      case 'reopen':
        decision = { action, document, by };
        break;
      case 'correct':
        decision = { action, document, by, data: (body.data ?? null) as Record<string, unknown>, ...(body.acceptWarnings === true ? { acceptWarnings: true } : {}) };
        break;
      case 'reject':
        decision = { action, document, by, reason: typeof body.reason === 'string' ? body.reason : '' };
        break;
      default:
        return sendJson(response, 404, { error: `no decision ${action}: approve, correct, reject or reopen` });
    }
    try {
      return sendJson(response, 200, { item: await decideReview(client, batchId, decision) });
    } catch (error) {
      if (error instanceof ReviewRefusedError) return sendJson(response, 409, { error: error.message });
      throw error;
    }
  }

  async function preview(item: ReviewItem): Promise<unknown> {
    let document: SourceDocument;
    try {
      document = await loadForView(item.path);
    } catch (error) {
      return { kind: 'none', message: `cannot read ${item.path}: ${message(error)}` };
    }
    try {
      if (document.mediaType === 'application/pdf') return { kind: 'pdf', pages: await withPdf(document, async (pdf) => pdf.numPages) };
      if (['image/png', 'image/jpeg', 'image/gif', 'image/webp'].includes(document.mediaType)) return { kind: 'image' };
      return { kind: 'text', text: await formatText(document) };
    } catch (error) {
      return { kind: 'none', message: message(error) };
    }
  }

  async function renderPage(item: ReviewItem, page: number): Promise<Buffer> {
    const key = `${item.index}/${page}`;
    const known = rendered.get(key);
    if (known) return known;
    const document = await loadForView(item.path);
    const png = await withPdf(document, async (pdf) => {
      if (!Number.isInteger(page) || page < 1 || page > pdf.numPages) throw new Error(`${item.path} has no page ${page} (it has ${pdf.numPages})`);
      return renderPagePng(pdf, await pdf.getPage(page), pageScale);
    });
    rendered.set(key, png);
    if (rendered.size > renderedPagesKept) rendered.delete(rendered.keys().next().value!);
    return png;
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { error: message(error) });
      else response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A queued document's bytes (from disk or a bucket) and media type, for showing it. */
async function loadForView(location: string): Promise<SourceDocument> {
  const { storage, key } = objectAt(location);
  const bytes = await storage.read(key).catch(() => null);
  if (bytes === null) throw new Error(`${location} is not there any more`);
  return { path: location, mediaType: detectMediaType(location, bytes), bytes };
}

async function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > 1024 * 1024) throw new Error('request body over 1 MB');
    chunks.push(chunk as Buffer);
  }
  if (chunks.length === 0) return {};
  const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
}

function send(response: ServerResponse, status: number, type: string, body: string | Buffer): void {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  send(response, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export type { DocumentResult };
