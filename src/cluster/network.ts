import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CLIENT_LINK, CLIENT_NETNS, CLUSTER_NETWORK, hostLink, hostNetns } from './layout';

const execFileAsync = promisify(execFile);

/**
 * The cluster's network on one machine: a bridge in the machine's namespace that carries the
 * services' address, and per host a network namespace joined to it by a veth pair. A host has its
 * own loopback and one address on the cluster subnet, and no route anywhere else.
 */
async function ip(...args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync('ip', args);
    return stdout;
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`ip ${args.join(' ')}: ${(e.stderr ?? e.message).trim()}`, { cause: err });
  }
}

async function linkExists(name: string): Promise<boolean> {
  return ip('link', 'show', name).then(
    () => true,
    () => false,
  );
}

async function netnsExists(name: string): Promise<boolean> {
  return (await ip('netns', 'list')).split('\n').some((line) => line.split(' ')[0] === name);
}

/** The bridge with the services' address (idempotent). */
export async function ensureBridge(): Promise<void> {
  const { bridge, gateway, prefixLength } = CLUSTER_NETWORK;
  if (!(await linkExists(bridge))) await ip('link', 'add', bridge, 'type', 'bridge');
  const addresses = await ip('-o', '-4', 'addr', 'show', 'dev', bridge);
  if (!addresses.includes(`${gateway}/`)) await ip('addr', 'add', `${gateway}/${prefixLength}`, 'dev', bridge);
  await ip('link', 'set', bridge, 'up');
}

/** A host: its network namespace, veth pair, address, loopback (idempotent). */
export async function ensureHostNetwork(netns: string, link: string, address: string): Promise<void> {
  if (!(await netnsExists(netns))) await ip('netns', 'add', netns);
  if (!(await linkExists(link))) {
    await ip('link', 'add', link, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns);
  }
  await ip('link', 'set', link, 'master', CLUSTER_NETWORK.bridge);
  await ip('link', 'set', link, 'up');
  const addresses = await ip('-n', netns, '-o', '-4', 'addr', 'show', 'dev', 'eth0');
  if (!addresses.includes(`${address}/`)) await ip('-n', netns, 'addr', 'add', `${address}/${CLUSTER_NETWORK.prefixLength}`, 'dev', 'eth0');
  await ip('-n', netns, 'link', 'set', 'eth0', 'up');
  await ip('-n', netns, 'link', 'set', 'lo', 'up');
}

export async function ensureWorkerHostNetwork(i: number): Promise<void> {
  await ensureHostNetwork(hostNetns(i), hostLink(i), CLUSTER_NETWORK.hostAddress(i));
}

/** The client host: a machine that runs `docbatch` commands and no worker. */
export async function ensureClientHostNetwork(): Promise<void> {
  await ensureHostNetwork(CLIENT_NETNS, CLIENT_LINK, CLUSTER_NETWORK.clientAddress);
}

/** Cuts a host's link (its root end down: the host sees its carrier go) or restores it. */
export async function setHostLink(i: number, up: boolean): Promise<void> {
  await ip('link', 'set', hostLink(i), up ? 'up' : 'down');
}

/** Pids of every process in a host's network namespace. */
export async function hostPids(netns: string): Promise<number[]> {
  const out = await ip('netns', 'pids', netns).catch(() => '');
  return out
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((pid) => Number.isInteger(pid) && pid > 0);
}

/** SIGKILLs every process of a host (its supervisor, outside, starts the worker again). */
export async function killHost(netns: string): Promise<number[]> {
  const pids = await hostPids(netns);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return pids;
}

/** Removes the hosts' namespaces (their veth pairs go with them) and the bridge. */
export async function removeNetwork(netnsNames: string[]): Promise<void> {
  for (const netns of netnsNames) {
    if (await netnsExists(netns)) await ip('netns', 'del', netns);
  }
  if (await linkExists(CLUSTER_NETWORK.bridge)) await ip('link', 'del', CLUSTER_NETWORK.bridge);
}

/** The namespaces `cluster up` made, found by name (for `down` without a state file). */
export async function clusterNetnsNames(): Promise<string[]> {
  return (await ip('netns', 'list'))
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith('docbatch-'));
}
