import { appendFile, readFile } from 'node:fs/promises';
import type { MessageBatch } from '@anthropic-ai/sdk/resources/messages/batches';
import { describe, expect, it } from 'vitest';
import { customId, customIdPattern, newToken, parseCustomId } from '../src/extraction/message-batches/custom-id';
import { MessageBatchGrouper, requestBytes } from '../src/extraction/message-batches/grouping';
import { isCandidate, reconcileCandidates, requestCount } from '../src/extraction/message-batches/reconcile';
import { outcomeOf } from '../src/extraction/message-batches/results';
import { attemptSuperseded, readSubmissions, recordAttempt, recordCreated, recordedMessageBatchIds, recordIntent } from '../src/store/message-batch-records';
import { messageBatchRecordsPath } from '../src/store/paths';
import { tempDir } from './helpers/batch';

describe('custom ids', () => {
  it('match the API rule, are unique per index and read back to token and index', () => {
    const token = newToken();
    expect(token).toMatch(/^[a-z0-9]{8}$/);
    const ids = [0, 7, 99_999, 123_456_789].map((index) => customId(token, index));
    for (const id of ids) expect(id).toMatch(customIdPattern);
    expect(new Set(ids).size).toBe(ids.length);
    expect(parseCustomId(customId(token, 4711))).toEqual({ token, index: 4711 });
  });

  it('draws different tokens, and refuses ids docbatch did not write', () => {
    expect(new Set(Array.from({ length: 200 }, () => newToken())).size).toBe(200);
    for (const foreign of ['my-custom-id-1', 'abc', 'ABC-1', 'abc-', '-1', 'abc-1-2', 'abc_1']) expect(parseCustomId(foreign)).toBeUndefined();
  });
});

describe('grouping requests into Message Batches', () => {
  const item = (index: number, textBytes: number) => {
    const request = { custom_id: customId('tok', index), params: { model: 'm', max_tokens: 1, messages: [{ role: 'user' as const, content: 'x'.repeat(textBytes) }] } };
    return { index, bytes: requestBytes(request) };
  };
  const groupAll = (grouper: MessageBatchGrouper<{ index: number; bytes: number }>, items: { index: number; bytes: number }[]) => {
    const groups: number[][] = [];
    for (const next of items) {
      const full = grouper.add(next);
      if (full) groups.push(full.map((request) => request.index));
    }
    const last = grouper.finish();
    if (last) groups.push(last.map((request) => request.index));
    return groups;
  };

  it('closes a group at the request limit, keeping the order', () => {
    const items = Array.from({ length: 7 }, (_, index) => item(index, 10));
    expect(groupAll(new MessageBatchGrouper({ maxRequests: 3, maxBytes: 1e9 }), items)).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });

  it('closes a group before its serialized size would pass the byte limit', () => {
    const items = Array.from({ length: 10 }, (_, index) => item(index, 1000));
    const maxBytes = 3500;
    const groups = groupAll(new MessageBatchGrouper({ maxRequests: 100, maxBytes }), items);
    expect(groups.flat()).toEqual(items.map((request) => request.index));
    for (const group of groups) {
      const body = JSON.stringify({ requests: group.map((index) => ({ custom_id: customId('tok', index), params: { model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'x'.repeat(1000) }] } })) });
      expect(Buffer.byteLength(body)).toBeLessThanOrEqual(maxBytes);
    }
    expect(groups.length).toBe(4);
  });

  it('gives a request bigger than the limit a group of its own', () => {
    expect(groupAll(new MessageBatchGrouper({ maxRequests: 100, maxBytes: 500 }), [item(0, 10), item(1, 2000), item(2, 10)])).toEqual([[0], [1], [2]]);
  });
});

describe('reconciling an intent with the API list', () => {
  const at = '2026-01-01T12:00:00.000Z';
  const batch = (id: string, createdAt: string, processing: number): MessageBatch => ({
    id,
    type: 'message_batch',
    created_at: createdAt,
    expires_at: createdAt,
    ended_at: null,
    archived_at: null,
    cancel_initiated_at: null,
    results_url: null,
    processing_status: 'in_progress',
    request_counts: { processing, succeeded: 0, errored: 0, canceled: 0, expired: 0 },
  });

  it('counts every request of a Message Batch, processing or ended', () => {
    expect(requestCount({ request_counts: { processing: 0, succeeded: 3, errored: 1, canceled: 1, expired: 2 } })).toBe(7);
  });

  it('takes a batch created after the intent (or within a minute before) with its request count, not recorded elsewhere', () => {
    const intent = { at, requests: 50 };
    expect(isCandidate(batch('a', '2026-01-01T12:00:01.000Z', 50), intent, new Set())).toBe(true);
    expect(isCandidate(batch('a', '2026-01-01T11:59:30.000Z', 50), intent, new Set())).toBe(true);
    expect(isCandidate(batch('a', '2026-01-01T11:58:00.000Z', 50), intent, new Set())).toBe(false);
    expect(isCandidate(batch('a', '2026-01-01T12:00:01.000Z', 49), intent, new Set())).toBe(false);
    expect(isCandidate(batch('a', '2026-01-01T12:00:01.000Z', 50), intent, new Set(['a']))).toBe(false);
  });

  it('reads the newest-first list no further than ten minutes before the intent', async () => {
    let read = 0;
    async function* list() {
      const times = ['12:05:00', '12:00:02', '12:00:01', '11:58:30', '11:49:00', '11:40:00'];
      for (const [index, time] of times.entries()) {
        read++;
        yield batch(`b${index}`, `2026-01-01T${time}.000Z`, 2);
      }
      throw new Error('read past the lookback');
    }
    const found = await reconcileCandidates(list(), { at, requests: 2 }, new Set(['b2']));
    expect(found.map((candidate) => candidate.id)).toEqual(['b0', 'b1']);
    expect(read).toBe(5);
  });
});

describe('result outcomes', () => {
  const message = { id: 'msg', type: 'message', role: 'assistant', content: [], model: 'm', stop_reason: 'end_turn', stop_sequence: null, usage: {} } as never;
  const errored = (type: string) => ({ type: 'errored' as const, error: { type: 'error' as const, request_id: null, error: { type, message: `${type} happened` } as never } });

  it('maps each result type to what happens to the document', () => {
    expect(outcomeOf({ type: 'succeeded', message })).toEqual({ kind: 'succeeded', message });
    expect(outcomeOf(errored('invalid_request_error'))).toEqual({ kind: 'rejected', message: 'invalid_request_error happened' });
    expect(outcomeOf(errored('api_error'))).toMatchObject({ kind: 'resubmit', reason: expect.stringContaining('api_error') });
    expect(outcomeOf(errored('overloaded_error')).kind).toBe('resubmit');
    expect(outcomeOf({ type: 'expired' }).kind).toBe('resubmit');
    expect(outcomeOf({ type: 'canceled' })).toEqual({ kind: 'canceled' });
  });
});

describe('submission records', () => {
  const intent = (round: number, group: number, token: string, indices: number[]) => ({ round, group, token, at: new Date().toISOString(), indices, models: { 'claude-haiku-4-5': indices } });
  const created = (round: number, group: number, id: string) => ({ round, group, id, createdAt: '2026-01-01T00:00:00Z', expiresAt: '2026-01-02T00:00:00Z', requests: 2 });

  it('read back as groups with their Message Batches; a re-written intent replaces the earlier one', async () => {
    const batchDir = await tempDir('records');
    await recordIntent(batchDir, 3, intent(0, 0, 'aaaa', [0, 1]));
    await recordCreated(batchDir, 3, created(0, 0, 'msgbatch_1'));
    await recordIntent(batchDir, 3, intent(0, 1, 'bbbb', [2, 3]));
    await recordIntent(batchDir, 3, { ...intent(0, 1, 'bbbb', [2]), warnings: { '2': ['note'] } });
    await recordIntent(batchDir, 3, intent(1, 0, 'cccc', [1]));
    const groups = await readSubmissions(batchDir, 3);
    expect(groups.map((group) => [group.intent.round, group.intent.group, group.intent.token, group.intent.indices, group.created.map((c) => c.id)])).toEqual([
      [0, 0, 'aaaa', [0, 1], ['msgbatch_1']],
      [0, 1, 'bbbb', [2], []],
      [1, 0, 'cccc', [1], []],
    ]);
    expect(groups[1]!.intent.warnings).toEqual({ '2': ['note'] });
  });

  it('survive a torn last line: it is ignored and the next record is not swallowed by it', async () => {
    const batchDir = await tempDir('records-torn');
    await recordIntent(batchDir, 0, intent(0, 0, 'aaaa', [0, 1]));
    await appendFile(messageBatchRecordsPath(batchDir, 0), '{"kind":"created","round":0,"gro');
    await recordCreated(batchDir, 0, created(0, 0, 'msgbatch_2'));
    const [group] = await readSubmissions(batchDir, 0);
    expect(group!.created.map((c) => c.id)).toEqual(['msgbatch_2']);
    expect((await readFile(messageBatchRecordsPath(batchDir, 0), 'utf8')).split('\n').filter(Boolean)).toHaveLength(3);
  });

  it('drop an intent its attempt wrote after a later attempt started (its create was never sent), and keep the ones before', async () => {
    const batchDir = await tempDir('records-attempts');
    const attempt = (id: string, n: number) => recordAttempt(batchDir, 0, { id, attempt: n, at: new Date().toISOString() });
    await attempt('a1', 1);
    await recordIntent(batchDir, 0, { ...intent(0, 0, 'aaaa', [0, 1]), attempt: 'a1' });
    expect(await attemptSuperseded(batchDir, 0, 'a1')).toBe(false);
    // a1 stalls; Temporal starts attempt 2 on another worker.
    await attempt('a2', 2);
    expect(await attemptSuperseded(batchDir, 0, 'a1')).toBe(true);
    expect(await attemptSuperseded(batchDir, 0, 'a2')).toBe(false);
    // a1 wakes and writes its next group's intent (then sees a2 and sends nothing); a2 re-sends group 0 and its own group 1.
    await recordIntent(batchDir, 0, { ...intent(0, 1, 'stale', [2, 3]), attempt: 'a1' });
    await recordIntent(batchDir, 0, { ...intent(0, 0, 'aaaa', [0, 1]), attempt: 'a2' });
    await recordCreated(batchDir, 0, created(0, 0, 'msgbatch_0'));
    await recordIntent(batchDir, 0, { ...intent(0, 1, 'bbbb', [2, 3]), attempt: 'a2' });
    await recordCreated(batchDir, 0, created(0, 1, 'msgbatch_1'));
    const groups = await readSubmissions(batchDir, 0);
    expect(groups.map((group) => [group.intent.group, group.intent.token, group.intent.attempt, group.created.map((c) => c.id)])).toEqual([
      [0, 'aaaa', 'a2', ['msgbatch_0']],
      [1, 'bbbb', 'a2', ['msgbatch_1']],
    ]);
    // A record file from before attempts were recorded reads as it did.
    const legacy = await tempDir('records-legacy');
    await recordIntent(legacy, 0, intent(0, 0, 'aaaa', [0, 1]));
    await recordIntent(legacy, 0, intent(0, 1, 'bbbb', [2]));
    expect((await readSubmissions(legacy, 0)).map((group) => group.intent.token)).toEqual(['aaaa', 'bbbb']);
  });

  it('name every Message Batch id recorded by any chunk of the batch', async () => {
    const batchDir = await tempDir('records-ids');
    expect(await recordedMessageBatchIds(batchDir)).toEqual(new Set());
    await recordIntent(batchDir, 0, intent(0, 0, 'aaaa', [0, 1]));
    await recordCreated(batchDir, 0, created(0, 0, 'msgbatch_a'));
    await recordIntent(batchDir, 5, intent(0, 0, 'bbbb', [10, 11]));
    await recordCreated(batchDir, 5, created(0, 0, 'msgbatch_b'));
    expect(await recordedMessageBatchIds(batchDir)).toEqual(new Set(['msgbatch_a', 'msgbatch_b']));
  });
});

describe('the chunk lock', () => {
  it('runs one activity of a chunk at a time in a process, in arrival order; other chunks run alongside', async () => {
    const { withChunkLock } = await import('../src/activities/chunk-lock');
    const events: string[] = [];
    let releaseFirst!: () => void;
    const first = withChunkLock('dir#0', async () => {
      events.push('first start');
      await new Promise<void>((resolve) => (releaseFirst = resolve));
      events.push('first end');
    });
    const second = withChunkLock('dir#0', async () => {
      events.push('second start');
      return 2;
    });
    const other = withChunkLock('dir#1', async () => {
      events.push('other chunk');
    });
    await other;
    await Promise.resolve();
    expect(events).toEqual(['first start', 'other chunk']);
    releaseFirst();
    expect(await second).toBe(2);
    await first;
    expect(events).toEqual(['first start', 'other chunk', 'first end', 'second start']);
    // A failing holder releases the lock too.
    await expect(withChunkLock('dir#0', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await withChunkLock('dir#0', async () => 'after')).toBe('after');
  });
});
