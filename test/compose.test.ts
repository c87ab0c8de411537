import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { DEFAULTS, ENV } from '../src/env';
import { priorityDynamicConfig } from '../src/temporal/dynamic-config';
import { projectRoot } from '../src/temporal/paths';
import { cliSearchAttributeTypes, docbatchSearchAttributes } from '../src/batch/search-attributes';
import { TEMPORAL_SERVER_VERSION } from '../src/cluster/server-build';
import { VERSITYGW_VERSION } from '../src/storage/versitygw';

// No Docker engine runs here: these check that docker-compose.yml and the Dockerfile agree with the code.

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string | number>;
  ports?: string[];
  expose?: string[];
  depends_on?: string[] | Record<string, unknown>;
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
        // AWS_*: the object store's endpoint and credentials, read by the AWS SDK (src/storage/s3-client.ts).
        if (key.startsWith('AWS_')) continue;
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

  test('runs the server release the cluster script builds, its schemas set up with temporal-sql-tool as the script does', () => {
    expect(service('temporal').image).toBe(`temporalio/server:${TEMPORAL_SERVER_VERSION}`);
    expect(service('temporal-schema').image).toBe(`temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`);
    expect(service('temporal-init').image).toBe(`temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`);
    const script = [service('temporal-schema').command ?? []].flat().join('\n');
    for (const step of ['create-database', 'setup-schema -v 0.0', 'update-schema -d /etc/temporal/schema/postgresql/v12/']) expect(script).toContain(step);
    expect(script).toContain('--plugin postgres12');
  });

  test('workers reach the object store (versitygw, the one src/storage builds) through the AWS SDK env', () => {
    expect(service('object-store').image).toBe(`versity/versitygw:${VERSITYGW_VERSION}`);
    const port = [service('object-store').command ?? []].flat().join(' ').match(/--port :(\d+)/)?.[1];
    expect(worker.environment?.AWS_ENDPOINT_URL_S3).toBe(`http://object-store:${port}`);
    for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION']) expect(worker.environment?.[key]).toBeTruthy();
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

describe('metrics: Prometheus and Grafana', () => {
  const metricsPort = String(worker.environment?.[ENV.metricsPort]);
  const prometheusConfig = parse(readFileSync(path.join(projectRoot, 'deploy/prometheus/prometheus.yml'), 'utf8')) as {
    scrape_configs: { job_name: string; dns_sd_configs?: { names: string[]; type: string; port: number }[]; static_configs?: { targets: string[] }[] }[];
  };
  const mounted = (name: string, file: string) => (service(name).volumes ?? []).find((v) => v.startsWith(`./${file}:`))?.split(':')[1];

  test('every worker serves metrics on DOCBATCH_METRICS_PORT, reachable inside the compose network', () => {
    expect(Number(metricsPort)).toBeGreaterThan(0);
    expect(worker.expose).toContain(metricsPort);
  });

  test('Prometheus scrapes every worker replica (DNS of the service name) on that port, and the server', () => {
    const prometheus = service('prometheus');
    expect(prometheus.image).toMatch(/^prom\/prometheus:v\d/);
    expect(mounted('prometheus', 'deploy/prometheus/prometheus.yml')).toBe('/etc/prometheus/prometheus.yml');
    const workers = prometheusConfig.scrape_configs.find((job) => job.dns_sd_configs?.some((sd) => sd.names.includes('worker')));
    expect(workers?.dns_sd_configs?.[0]).toMatchObject({ type: 'A', port: Number(metricsPort) });
    const server = prometheusConfig.scrape_configs.find((job) => job.static_configs?.some((c) => c.targets.includes('temporal:8000')));
    expect(server).toBeDefined();
    expect(service('temporal').environment?.PROMETHEUS_ENDPOINT).toBe('0.0.0.0:8000');
  });

  test('Grafana is provisioned with Prometheus and the docbatch dashboard', () => {
    const grafana = service('grafana');
    expect(grafana.image).toMatch(/^grafana\/grafana:\d/);
    expect(grafana.ports).toContain('3000:3000');
    expect(mounted('grafana', 'deploy/grafana/provisioning')).toBe('/etc/grafana/provisioning');
    const dashboardPath = mounted('grafana', 'deploy/grafana/docbatch-dashboard.json')!;
    const provider = parse(readFileSync(path.join(projectRoot, 'deploy/grafana/provisioning/dashboards/docbatch.yml'), 'utf8')) as {
      providers: { options: { path: string } }[];
    };
    expect(path.dirname(dashboardPath)).toBe(provider.providers[0]?.options.path);
    const datasources = parse(readFileSync(path.join(projectRoot, 'deploy/grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as {
      datasources: { uid: string; type: string; url: string }[];
    };
    expect(datasources.datasources[0]).toMatchObject({ uid: 'prometheus', type: 'prometheus', url: 'http://prometheus:9090' });
    // Every panel queries that data source.
    const dashboard = JSON.parse(readFileSync(path.join(projectRoot, 'deploy/grafana/docbatch-dashboard.json'), 'utf8')) as {
      panels: { type: string; datasource?: { uid: string }; targets?: { expr: string }[] }[];
    };
    const queries = dashboard.panels.filter((panel) => panel.type !== 'row');
    expect(queries.length).toBeGreaterThan(8);
    for (const panel of queries) expect(panel.datasource?.uid).toBe('prometheus');
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
