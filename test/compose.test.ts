import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { DEFAULTS, ENV } from '../src/env';
import { priorityDynamicConfig } from '../src/temporal/dynamic-config';
import { projectRoot } from '../src/temporal/paths';
import { cliSearchAttributeTypes, docbatchSearchAttributes } from '../src/batch/search-attributes';

// No Docker engine runs here: these check that docker-compose.yml and the Dockerfile agree with the code.

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
  deploy?: { replicas?: number };
}
interface Compose {
  services: Record<string, Service>;
  configs: Record<string, { content: string }>;
}

const compose = parse(readFileSync(path.join(projectRoot, 'docker-compose.yml'), 'utf8')) as Compose;
const dockerfile = readFileSync(path.join(projectRoot, 'Dockerfile'), 'utf8');
const service = (name: string): Service => {
  const s = compose.services[name];
  if (!s) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
};
const worker = service('worker');
const envNames = new Set<string>(Object.values(ENV));

describe('docker-compose.yml', () => {
  test('the worker is configured only through env names that src/env.ts reads', () => {
    for (const name of ['worker', 'temporal-init']) {
      for (const key of Object.keys(service(name).environment ?? {})) {
        expect(envNames, `${name}: ${key} is not in src/env.ts ENV`).toContain(key);
      }
    }
  });

  test('workers reach the server at temporal:7233 on the docbatch task queue', () => {
    expect(worker.environment?.[ENV.temporalAddress]).toBe('temporal:7233');
    expect(worker.environment?.[ENV.temporalNamespace]).toBe(DEFAULTS.temporalNamespace);
    expect(worker.environment?.[ENV.taskQueue]).toBe(DEFAULTS.taskQueue);
    expect(Number(worker.environment?.[ENV.maxConcurrentActivities])).toBeGreaterThan(0);
    expect(service('temporal-ui').environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  test('publishes the frontend on 7233 and the Web UI on 8080', () => {
    expect(service('temporal').ports).toContain('7233:7233');
    expect(service('temporal-ui').ports).toContain('8080:8080');
  });

  test('the server is backed by PostgreSQL', () => {
    expect(service('temporal').environment?.DB).toMatch(/^postgres/);
    expect(service('postgresql').image).toMatch(/^postgres:/);
  });

  test('workers share /data for documents, output and cache, and run several replicas', () => {
    expect(worker.volumes?.some((v) => v.endsWith(':/data'))).toBe(true);
    expect(String(worker.environment?.[ENV.outputDir])).toMatch(/^\/data\//);
    expect(String(worker.environment?.[ENV.cacheDir])).toMatch(/^\/data\//);
    expect(worker.deploy?.replicas).toBeGreaterThan(1);
  });

  test('the init step registers every search attribute of src/batch/search-attributes.ts with its type', () => {
    const script = [service('temporal-init').command ?? []].flat().join('\n');
    const registered = new Set(script.match(/\bDocbatch\w+=\w+/g) ?? []);
    const expected = docbatchSearchAttributes.map((key) => `${key.name}=${cliSearchAttributeTypes[key.type]}`);
    expect([...registered].sort()).toEqual(expected.sort());
    expect(script).toContain('temporal operator search-attribute create');
  });

  test('the dynamic config sets what task-queue priority needs (src/temporal/dynamic-config.ts)', () => {
    const config = parse(compose.configs['temporal-dynamic-config']?.content ?? '') as Record<
      string,
      Array<{ value: unknown; constraints?: { taskQueueName?: string } }>
    >;
    expect(Object.keys(config).sort()).toEqual(Object.keys(priorityDynamicConfig).sort());
    for (const [key, value] of Object.entries(priorityDynamicConfig)) {
      expect(config[key]?.[0]?.value, key).toEqual(value);
      const queue = config[key]?.[0]?.constraints?.taskQueueName;
      if (queue !== undefined) expect(queue, key).toBe(worker.environment?.[ENV.taskQueue]);
    }
  });
});

describe('search attributes', () => {
  test('fit the custom search attribute slots of SQL visibility (SQLite dev server, PostgreSQL)', () => {
    // Per namespace: 10 Keyword, 3 each of Int, Double, Bool, Datetime, Text, KeywordList.
    const slots: Record<string, number> = { Keyword: 10 };
    const used: Record<string, number> = {};
    for (const key of docbatchSearchAttributes) {
      const type = cliSearchAttributeTypes[key.type] ?? key.type;
      used[type] = (used[type] ?? 0) + 1;
    }
    for (const [type, count] of Object.entries(used)) expect(count, type).toBeLessThanOrEqual(slots[type] ?? 3);
  });
});

describe('Dockerfile', () => {
  test('runs src/worker.ts, as the compose worker does', () => {
    expect(existsSync(path.join(projectRoot, 'src', 'worker.ts'))).toBe(true);
    expect(dockerfile).toMatch(/^FROM node:20/m);
    expect(dockerfile).toMatch(/^CMD \["node", "--import", "tsx", "src\/worker\.ts"\]$/m);
    expect(worker.command).toEqual(['node', '--import', 'tsx', 'src/worker.ts']);
    expect(worker.build).toBe('.');
  });
});
