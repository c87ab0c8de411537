import { type Connection, isGrpcServiceError } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { cliSearchAttributeTypes, docbatchSearchAttributes } from '../batch/search-attributes';

/** gRPC status ALREADY_EXISTS (@grpc/grpc-js is not a direct dependency). */
const GRPC_ALREADY_EXISTS = 6;

/** `--search-attribute Name=Type` arguments for `temporal server start-dev`. */
export function searchAttributeArgs(): string[] {
  return docbatchSearchAttributes.flatMap((key) => ['--search-attribute', `${key.name}=${cliSearchAttributeTypes[key.type]}`]);
}

/**
 * Registers every docbatch search attribute that the namespace lacks, through the operator
 * service, so a reused dev server or a cluster gets them too. Returns the names it added.
 */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const custom = existing.customAttributes ?? {};
  const missing: Record<string, number> = {};
  for (const key of docbatchSearchAttributes) {
    const wanted = encodeSearchAttributeIndexedValueType(key.type);
    if (wanted === undefined) throw new Error(`search attribute ${key.name} has unknown type ${key.type}`);
    const have = custom[key.name];
    if (have === undefined || have === null) {
      missing[key.name] = wanted;
    } else if (have !== wanted) {
      throw new Error(
        `search attribute ${key.name} exists in namespace ${namespace} with another type than ${cliSearchAttributeTypes[key.type]}: ` +
          `remove it (\`temporal operator search-attribute remove --name ${key.name}\`) and let docbatch register it again`,
      );
    }
  }
  const names = Object.keys(missing);
  if (names.length === 0) return [];
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
  } catch (err) {
    // Another process registered them between our list and add.
    if (!(isGrpcServiceError(err) && Number(err.code) === GRPC_ALREADY_EXISTS)) {
      throw new Error(
        `could not register search attributes ${names.join(', ')} in namespace ${namespace}: ${(err as Error).message}. ` +
          `Register them with \`temporal operator search-attribute create\` (see docs/deployment.md).`,
        { cause: err },
      );
    }
  }
  return names;
}
