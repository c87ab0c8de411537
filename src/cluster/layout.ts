import path from 'node:path';

/**
 * Where everything of the local cluster lives: one bridge on this machine that the services bind
 * to, one network namespace per worker host behind it, the ports, and the files under
 * `<DOCBATCH_HOME>/cluster/`. One place, so `up`, `down`, `status`, the chaos test and the bench
 * agree.
 *
 * The subnet is the cluster's own: the bridge and the hosts' veth ends are made by `cluster up`
 * on this machine, and nothing outside it is ever addressed.
 */
export const CLUSTER_NETWORK = {
  bridge: 'dbbr0',
  /** The services' address: the bridge, in the machine's (root) network namespace. */
  gateway: '10.221.0.1',
  prefixLength: 24,
  /** Worker host i (1-based) is 10.221.0.(10 + i); the client host is 10.221.0.9. */
  hostAddress: (i: number) => `10.221.0.${10 + i}`,
  clientAddress: '10.221.0.9',
} as const;

export const CLUSTER_PORTS = {
  frontend: 7233,
  frontendHttp: 7243,
  history: 7234,
  matching: 7235,
  worker: 7239,
  membershipFrontend: 6933,
  membershipHistory: 6934,
  membershipMatching: 6935,
  membershipWorker: 6939,
  serverMetrics: 8000,
  postgres: 55432,
  objectStore: 9000,
  /** Worker host metrics (DOCBATCH_METRICS_PORT): every host has its own address, so one port. */
  workerMetrics: 9464,
} as const;

/** The namespace batches run in on the cluster (not `default`: a cluster has several). */
export const CLUSTER_NAMESPACE = 'docbatch';

export function hostName(i: number): string {
  return `h${i}`;
}
/** Network namespace of worker host i. */
export function hostNetns(i: number): string {
  return `docbatch-h${i}`;
}
/** Root-namespace end of host i's veth pair (on the bridge); `ip link set … down` cuts the host off. */
export function hostLink(i: number): string {
  return `dbveth${i}`;
}
export const CLIENT_NETNS = 'docbatch-client';
export const CLIENT_LINK = 'dbvethc';

export interface ClusterPaths {
  root: string;
  /** Supervisor pid files, stop markers. */
  run: string;
  logs: string;
  postgresData: string;
  postgresSocket: string;
  temporalConfig: string;
  objectStoreData: string;
  /** A machine-local output directory for benchmarks that compare servers on local disk (batches on the cluster write to the bucket). */
  sharedOutput: string;
  /** Host i's own DOCBATCH_HOME (cache, decoder scratch): no other host reads it. */
  hostHome: (i: number) => string;
  state: string;
}

export function clusterPaths(home: string): ClusterPaths {
  const root = path.join(home, 'cluster');
  return {
    root,
    run: path.join(root, 'run'),
    logs: path.join(root, 'logs'),
    postgresData: path.join(root, 'postgres', 'data'),
    postgresSocket: path.join(root, 'postgres', 'socket'),
    temporalConfig: path.join(root, 'temporal-config'),
    objectStoreData: path.join(root, 'object-store'),
    sharedOutput: path.join(root, 'shared-output'),
    hostHome: (i) => path.join(root, 'hosts', hostName(i)),
    state: path.join(root, 'state.json'),
  };
}
