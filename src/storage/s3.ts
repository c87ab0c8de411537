import { PassThrough } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { joinKey, logThrough, StorageError, type LogPosition, type ObjectInfo, type OpenLog, type ReadOptions, type Storage } from './storage';

/** Segment numbers taken by other writers before an append gives up: each one lost to a write that succeeded. */
const APPEND_CONFLICTS_MAX = 1000;

/** Segments of one log fetched at once by readLog. */
const SEGMENT_READS_IN_FLIGHT = 16;

/** `<log>/000000000042`: zero-padded, so key order is append order. */
function segmentKey(log: string, seq: number): string {
  return `${log}/${String(seq).padStart(12, '0')}`;
}

/**
 * A bucket prefix of any S3-compatible store as a Storage. Objects are written whole, so a log is
 * a series of numbered segment objects, each created with If-None-Match: * (a writer that loses
 * the race for a number takes the next): no line is lost or doubled, every reader sees one order,
 * and a reader that polls lists only the segments after the last it read. (A read-modify-write of
 * one object with If-Match lost a line under concurrent writers on versitygw: its GET can pair a
 * body with a newer ETag.)
 */
export class S3Storage implements Storage {
  readonly capabilities = { nativeAppend: false, conditionalWrite: true };
  readonly location: string;
  /** The next segment number this process expects free, per log: one PUT per append in the common case. */
  private readonly nextSegment = new Map<string, number>();

  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
    readonly prefix: string,
  ) {
    this.location = prefix === '' ? `s3://${bucket}` : `s3://${bucket}/${prefix}`;
  }

  urlOf(key: string): string {
    return key === '' ? this.location : `s3://${this.bucket}/${this.keyOf(key)}`;
  }

  at(prefix: string): Storage {
    return new S3Storage(this.client, this.bucket, joinKey(this.prefix, prefix));
  }

  async read(key: string, options: ReadOptions = {}): Promise<Buffer | null> {
    const got = await this.get(key, options);
    return got?.bytes ?? null;
  }

  async stat(key: string): Promise<ObjectInfo | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }));
      return { key, size: head.ContentLength ?? 0, version: head.ETag ?? '', modifiedMs: head.LastModified?.getTime() ?? 0 };
    } catch (error) {
      if (statusOf(error) === 404 && !isNoSuchBucket(error)) return null;
      throw this.storageError(error, key);
    }
  }

  async write(key: string, body: string | Uint8Array): Promise<void> {
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key), Body: body }));
    } catch (error) {
      throw this.storageError(error, key);
    }
  }

  async writeLines(key: string, produce: (write: (text: string) => Promise<void>) => Promise<void>): Promise<void> {
    // A multipart upload of 8 MB parts, at most 2 in flight: a report of any size in ~24 MB.
    const body = new PassThrough();
    const upload = new Upload({ client: this.client, params: { Bucket: this.bucket, Key: this.keyOf(key), Body: body }, partSize: 8 * 1024 * 1024, queueSize: 2 });
    const done = upload.done();
    // Until produce ends, an upload failure must not go unhandled.
    done.catch(() => undefined);
    try {
      await produce(async (text) => {
        if (!body.write(text)) await waitForDrainOr(body, done);
      });
      body.end();
    } catch (error) {
      await upload.abort().catch(() => undefined);
      body.destroy();
      throw error;
    }
    try {
      await done;
    } catch (error) {
      throw this.storageError(error, key);
    }
  }

  async append(key: string, text: string): Promise<undefined> {
    const body = Buffer.from(text);
    let next = this.nextSegment.get(key) ?? (await this.lastSegment(key)) + 1;
    for (let conflicts = 0; ; conflicts++) {
      try {
        await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.keyOf(segmentKey(key, next)), Body: body, IfNoneMatch: '*' }));
        this.nextSegment.set(key, next + 1);
        return;
      } catch (error) {
        // 412: another writer took that number; 409: a conditional write raced another (AWS). Take the next free one.
        const status = statusOf(error);
        if ((status === 412 || status === 409) && conflicts < APPEND_CONFLICTS_MAX) {
          next = Math.max(next + 1, (await this.lastSegment(key)) + 1);
          continue;
        }
        throw this.storageError(error, key);
      }
    }
  }

  openLog(key: string): Promise<OpenLog> {
    return Promise.resolve(logThrough(this, key));
  }

  async readLog(key: string, from: LogPosition = ''): Promise<{ text: string; position: LogPosition }> {
    const segments: string[] = [];
    for await (const segment of this.segments(key, from)) segments.push(segment);
    // Fetched SEGMENT_READS_IN_FLIGHT at a time, joined in their order.
    const texts = new Array<string>(segments.length);
    let next = 0;
    const lane = async () => {
      while (next < segments.length) {
        const at = next++;
        // Listed, then gone: only a deleted log loses segments, and then there is nothing to read.
        texts[at] = (await this.get(segments[at]!))?.bytes.toString('utf8') ?? '';
      }
    };
    await Promise.all(Array.from({ length: Math.min(SEGMENT_READS_IN_FLIGHT, segments.length) }, lane));
    return { text: texts.join(''), position: segments.at(-1) ?? from };
  }

  async *listLogs(prefix: string): AsyncIterable<string> {
    let last: string | undefined;
    for await (const object of this.list(prefix)) {
      const log = object.key.replace(/\/\d{12}$/, '');
      if (log !== object.key && log !== last) yield (last = log);
    }
  }

  /** The log's segments after `from` (a segment key), in order. */
  private async *segments(key: string, from: LogPosition): AsyncIterable<string> {
    const base = this.prefix === '' ? '' : `${this.prefix}/`;
    try {
      const pages = paginateListObjectsV2(
        { client: this.client, pageSize: 1000 },
        { Bucket: this.bucket, Prefix: `${base}${key}/`, ...(from === '' ? {} : { StartAfter: `${base}${from}` }) },
      );
      for await (const page of pages) {
        for (const object of page.Contents ?? []) {
          const segment = (object.Key ?? '').slice(base.length);
          if (/\/\d{12}$/.test(segment)) yield segment;
        }
      }
    } catch (error) {
      throw this.storageError(error, key);
    }
  }

  /** The highest segment number of the log, 0 when it has none. */
  private async lastSegment(key: string): Promise<number> {
    let last = 0;
    const known = this.nextSegment.get(key);
    for await (const segment of this.segments(key, known === undefined ? '' : segmentKey(key, known - 1))) last = Number(segment.slice(-12));
    return Math.max(last, (known ?? 1) - 1);
  }

  async *list(prefix = '', options: { after?: string } = {}): AsyncIterable<ObjectInfo> {
    const base = this.prefix === '' ? '' : `${this.prefix}/`;
    const listed = joinKey(prefix);
    try {
      const pages = paginateListObjectsV2(
        { client: this.client, pageSize: 1000 },
        { Bucket: this.bucket, Prefix: base + (listed === '' ? '' : `${listed}/`), ...(options.after === undefined ? {} : { StartAfter: base + options.after }) },
      );
      for await (const page of pages) {
        for (const object of page.Contents ?? []) {
          const key = object.Key ?? '';
          // A zero-byte `folder/` marker (the console's "Create folder") is not an object of the batch.
          if (key.endsWith('/')) continue;
          yield { key: key.slice(base.length), size: object.Size ?? 0, version: object.ETag ?? '', modifiedMs: object.LastModified?.getTime() ?? 0 };
        }
      }
    } catch (error) {
      throw this.storageError(error, listed);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }));
    } catch (error) {
      if (statusOf(error) === 404 && !isNoSuchBucket(error)) return;
      throw this.storageError(error, key);
    }
  }

  private async get(key: string, options: ReadOptions = {}): Promise<{ bytes: Buffer; etag: string } | null> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key), IfMatch: options.version }));
      const size = response.ContentLength ?? 0;
      if (options.maxBytes !== undefined && size > options.maxBytes) {
        // Refused from the header: the body is never read.
        (response.Body as { destroy?: () => void } | undefined)?.destroy?.();
        throw new StorageError('too_large', `${this.urlOf(key)} is ${size} bytes, above the limit of ${options.maxBytes}`);
      }
      const bytes = response.Body ? Buffer.from(await response.Body.transformToByteArray()) : Buffer.alloc(0);
      return { bytes, etag: response.ETag ?? '' };
    } catch (error) {
      if (error instanceof StorageError) throw error;
      const status = statusOf(error);
      if (status === 404 && !isNoSuchBucket(error)) return null;
      if (status === 412) throw new StorageError('version_changed', `${this.urlOf(key)} changed after the batch was planned (a new version was uploaded while the batch ran)`, { cause: error });
      throw this.storageError(error, key);
    }
  }

  private keyOf(key: string): string {
    return this.prefix === '' ? key : `${this.prefix}/${key}`;
  }

  private storageError(error: unknown, key: string): Error {
    if (error instanceof StorageError) return error;
    const url = this.urlOf(key);
    const status = statusOf(error);
    const name = (error as { name?: string }).name ?? '';
    if (isNoSuchBucket(error)) return new StorageError('no_bucket', `bucket ${this.bucket} does not exist at ${endpointLabel()}: create it, or fix the bucket name in ${url}`, { cause: error });
    if (status === 403 || ['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidToken', 'ExpiredToken'].includes(name)) {
      return new StorageError(
        'access_denied',
        `access to ${url} was refused (${name || status}): check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the profile or role) and that they may read and write bucket ${this.bucket}`,
        { cause: error },
      );
    }
    if (status === undefined || status >= 500 || name === 'TimeoutError') {
      return new StorageError('unavailable', `${url} could not be reached at ${endpointLabel()} (${describe(error)}): is the object store up?`, { cause: error });
    }
    return error instanceof Error ? error : new Error(String(error));
  }
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

function isNoSuchBucket(error: unknown): boolean {
  return (error as { name?: string; Code?: string }).name === 'NoSuchBucket' || (error as { Code?: string }).Code === 'NoSuchBucket';
}

function endpointLabel(): string {
  return process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL || 'AWS S3';
}

function describe(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

function waitForDrainOr(stream: PassThrough, failed: Promise<unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('drain', resolve);
    failed.then(
      () => resolve(),
      (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))),
    );
  });
}
