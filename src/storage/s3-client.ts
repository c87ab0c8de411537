import { S3Client } from '@aws-sdk/client-s3';
import { readEnv } from '../env';

type Env = Record<string, string | undefined>;

/**
 * The endpoint the SDK will use: AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL (the SDK's own
 * names), else AWS itself (undefined). Read here too, to choose the addressing style.
 */
export function s3Endpoint(env: Env = process.env): string | undefined {
  const value = env.AWS_ENDPOINT_URL_S3?.trim() || env.AWS_ENDPOINT_URL?.trim();
  return value === '' ? undefined : value;
}

/**
 * Path-style addressing (`http://host/bucket/key`) for an IP or localhost endpoint, where a
 * virtual-hosted name (`bucket.127.0.0.1`) cannot resolve; DOCBATCH_S3_FORCE_PATH_STYLE=true|false
 * decides otherwise (MinIO or SeaweedFS behind a plain host name want true).
 */
export function usesPathStyle(env: Env = process.env): boolean {
  const forced = readEnv('s3ForcePathStyle', env);
  if (forced !== undefined) return forced === 'true' || forced === '1';
  const endpoint = s3Endpoint(env);
  if (endpoint === undefined) return false;
  let host: string;
  try {
    host = new URL(endpoint).hostname;
  } catch {
    return false;
  }
  return host === 'localhost' || /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.startsWith('[');
}

const clients = new Map<string, S3Client>();

/**
 * One client per process (per endpoint and addressing style), configured the SDK's standard way:
 * credentials from its default chain (env, profile, SSO, container or instance role), region from
 * AWS_REGION or the profile (us-east-1 when neither says). Checksums only where an operation
 * requires them, since S3-compatible servers (R2, GCS's XML API, older MinIO) refuse the newer
 * default ones.
 */
export function s3Client(env: Env = process.env): S3Client {
  quietNodeVersionNotice();
  const endpoint = s3Endpoint(env);
  const pathStyle = usesPathStyle(env);
  const key = `${endpoint ?? 'aws'}|${pathStyle}`;
  let client = clients.get(key);
  if (!client) {
    const region = env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim();
    client = new S3Client({
      ...(endpoint ? { endpoint } : {}),
      ...(region ? { region } : {}),
      forcePathStyle: pathStyle,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    clients.set(key, client);
  }
  return client;
}


/**
 * The pinned SDK release works on Node 20; its notice that releases from January 2027 will not is
 * for the project's maintainers (package.json pins the version), not for a user's terminal.
 */
export function quietNodeVersionNotice(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
