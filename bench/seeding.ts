/**
 * Seeding bench: what corrected documents of an issuer change for the next batch of that issuer's
 * documents. Four issuers, each printing its fields under labels the offline rules do not know, in
 * four languages and three layouts (label beside, over, or before the value in its cell). Per
 * issuer one document is "corrected" (its true data recorded as a review would, into an examples
 * store) and eight new documents of the same issuer are extracted, side by side:
 *
 * - offline: field accuracy of the local extractor without examples (baseline) and with the
 *   layout hints it learns from the store;
 * - emulator: requests and tokens of the Claude extractor against the Anthropic emulator, without
 *   and with the examples in the cached system prefix. The emulator answers from docbatch's own
 *   rules, not a model: it shows what the examples cost and how they are cached, not whether Claude
 *   reads better with them.
 *
 * npm run bench:seeding   (writes bench/results/seeding-<time>.json and latest-seeding.json)
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmulator } from '../src/emulator';
import { createAnthropicExtractor } from '../src/extraction/anthropic';
import { loadDocument } from '../src/extraction/document';
import { exampleExcerpt } from '../src/extraction/examples/excerpt';
import { withExamples } from '../src/extraction/examples/seeded';
import type { Extractor } from '../src/extraction/extractor';
import { closeSharedDecoderPool } from '../src/extraction/isolation';
import { createLocalExtractor } from '../src/extraction/local/extractor';
import { invoice, invoiceSchema } from '../src/extraction/schemas/invoice';
import { addUsage, zeroUsage, type Usage } from '../src/extraction/usage';
import { storageAt } from '../src/storage/location';
import { recordExamples, takeSnapshot } from '../src/store/example-store';

const resultsDir = path.resolve('bench/results');
const DOCUMENTS_PER_ISSUER = 8;
const fields = ['invoiceNumber', 'issueDate', 'issuer', 'currency', 'subtotal', 'tax', 'total'] as const;

interface Truth {
  invoiceNumber: string;
  issueDate: string;
  issuer: string;
  currency: string;
  subtotal: number;
  tax: number;
  total: number;
}

/** A seeded pseudo-random sequence, so every run extracts the same documents. */
function sequence(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const comma = (value: number) => value.toFixed(2).replace('.', ',').replace(/\B(?=(\d{3})+(?!\d))/g, '.');
const spaced = (value: number) => value.toFixed(2).replace('.', ',').replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
const point = (value: number) => value.toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const dmy = (iso: string, sep: string) => iso.split('-').reverse().join(sep);

/** Each issuer: its name, currency, tax rate and how it prints a document. */
const issuers: { name: string; currency: string; rate: number; print: (truth: Truth, n: number) => string }[] = [
  {
    name: 'Heizungsbau Krämer e.K.',
    currency: 'EUR',
    rate: 0.19,
    print: (t) => `Heizungsbau Krämer e.K.                         RECHNUNG
Lindenweg 4, 79100 Freiburg                     Kundennr.: 4471
                                                Beleg-Ref.: ${t.invoiceNumber}
An: Contoso AG                                  Ausgestellt: ${dmy(t.issueDate, '.')}

Position                          Menge         Betrag
Wartung Heizung                       1    ${comma(t.subtotal).padStart(11)}

Netto                                      ${comma(t.subtotal).padStart(11)}
MwSt 19%                                   ${comma(t.tax).padStart(11)}
Gesamtforderung                            ${comma(t.total).padStart(11)}
`,
  },
  {
    name: 'Atelier Lumière SARL',
    currency: 'EUR',
    rate: 0.2,
    print: (t) => `Atelier Lumière SARL
12 rue des Fleurs, 69002 Lyon

Client : Boulangerie Martin, 3 place Bellecour, Lyon

Pièce             Émise le            Montant réglé
${t.invoiceNumber.padEnd(17)} ${dmy(t.issueDate, '/').padEnd(19)} ${spaced(t.total)} €

Prestation d'éclairage de vitrine
Base             ${spaced(t.subtotal)} €
TVA 20 %         ${spaced(t.tax)} €
`,
  },
  {
    name: 'Harbour Joinery Ltd',
    currency: 'GBP',
    rate: 0.2,
    print: (t) => `Harbour Joinery Ltd, 5 Quay Street, Bristol BS1 4DB
Thank you for choosing us. Our ref: ${t.invoiceNumber}
Raised on ${t.issueDate.split('-').reverse().join('/')} for Mr J. Smith, 14 Elm Road, Bath
Bespoke oak shelving, fitted                          £${point(t.subtotal)}
Goods & labour before VAT: £${point(t.subtotal)}
VAT charged at 20%: £${point(t.tax)}
Amount settled: £${point(t.total)}
`,
  },
  {
    name: 'Reformas Ebro S.L.',
    currency: 'EUR',
    rate: 0.21,
    print: (t) => `REFORMAS EBRO S.L.
Calle Mayor 8, 50001 Zaragoza            Núm. de serie: ${t.invoiceNumber}
                                         Expedida: ${dmy(t.issueDate, '-')}
Cliente: Comunidad de Propietarios Delicias 4

Concepto                                   Importe
Reparación de fachada               ${comma(t.subtotal).padStart(12)}

Suma conceptos                      ${comma(t.subtotal).padStart(12)}
Cuota 21%                           ${comma(t.tax).padStart(12)}
Importe líquido                     ${comma(t.total).padStart(12)} €
`,
  },
];

function truthOf(issuer: (typeof issuers)[number], index: number, random: () => number): Truth {
  const subtotal = Math.round((200 + random() * 4800) * 100) / 100;
  const tax = Math.round(subtotal * issuer.rate * 100) / 100;
  const day = 1 + Math.floor(random() * 27);
  const month = 1 + Math.floor(random() * 12);
  const prefixes = ['RX-', 'AL-2025-', 'HJ ', 'S-'];
  const prefix = prefixes[issuers.indexOf(issuer)]!;
  return {
    invoiceNumber: `${prefix}${1000 + index * 37 + Math.floor(random() * 30)}`,
    issueDate: `2025-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
    issuer: issuer.name,
    currency: issuer.currency,
    subtotal,
    tax,
    total: Math.round((subtotal + tax) * 100) / 100,
  };
}

interface Document {
  issuer: string;
  file: string;
  text: string;
  truth: Truth;
}

function fieldRight(field: (typeof fields)[number], data: Record<string, unknown>, truth: Truth): boolean {
  const got = data[field];
  const want = truth[field];
  if (typeof want === 'number') return typeof got === 'number' && Math.abs(got - want) < 0.005;
  return typeof got === 'string' && got.trim().toLowerCase() === want.toLowerCase();
}

async function extractAll(extractor: Extractor, documents: Document[]): Promise<{ data: Record<string, unknown>[]; usage: Usage; calls: number }> {
  const data: Record<string, unknown>[] = [];
  let usage = zeroUsage;
  let calls = 0;
  // One at a time: the first request writes the cached prefix, the next ones read it (as a chunk's first document does).
  for (const document of documents) {
    try {
      const extraction = await extractor.extract({ document: await loadDocument(document.file), schemaName: 'invoice', schema: invoiceSchema, definition: invoice });
      data.push(extraction.data);
      usage = addUsage(usage, extraction.usage);
      calls += extraction.calls;
    } catch {
      data.push({});
    }
  }
  return { data, usage, calls };
}

function accuracy(documents: Document[], data: Record<string, unknown>[]) {
  const perField = Object.fromEntries(fields.map((field) => [field, documents.filter((document, index) => fieldRight(field, data[index]!, document.truth)).length / documents.length]));
  const perIssuer = Object.fromEntries(
    issuers.map((issuer) => {
      const mine = documents.flatMap((document, index) => (document.issuer === issuer.name ? [index] : []));
      const right = mine.reduce((sum, index) => sum + fields.filter((field) => fieldRight(field, data[index]!, documents[index]!.truth)).length, 0);
      return [issuer.name, right / (mine.length * fields.length)];
    }),
  );
  const all = documents.reduce((sum, document, index) => sum + fields.filter((field) => fieldRight(field, data[index]!, document.truth)).length, 0) / (documents.length * fields.length);
  const wholeDocuments = documents.filter((document, index) => fields.every((field) => fieldRight(field, data[index]!, document.truth))).length;
  return { fields: all, wholeDocuments, perField, perIssuer };
}

const pct = (share: number) => `${(share * 100).toFixed(0)}%`.padStart(5);

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'docbatch-bench-seeding-'));
  const random = sequence(24);
  const seeds: Document[] = [];
  const rerun: Document[] = [];
  for (const issuer of issuers) {
    for (let index = 0; index <= DOCUMENTS_PER_ISSUER; index++) {
      const truth = truthOf(issuer, index, random);
      const file = path.join(dir, `${issuer.name.slice(0, 8).replace(/\W+/g, '-')}-${index}.txt`);
      const text = issuer.print(truth, index);
      await writeFile(file, text);
      (index === 0 ? seeds : rerun).push({ issuer: issuer.name, file, text, truth });
    }
  }

  // The review's part: each issuer's first document corrected (its true data over what was extracted), recorded in a store.
  const local = createLocalExtractor();
  const seeded = await extractAll(local, seeds);
  const storeDir = path.join(dir, 'output');
  const store = storageAt(storeDir);
  const corrections = seeds.map((seed, index) => {
    const data = { ...seeded.data[index], ...seed.truth, dueDate: null, buyer: null, lineItems: [] };
    const changedFields = fields.filter((field) => !fieldRight(field, seeded.data[index]!, seed.truth));
    return {
      issuer: seed.truth.issuer,
      batchId: 'bench-first',
      document: index,
      path: seed.file,
      correctionId: `${index}-1`,
      correctedAt: new Date(Date.UTC(2025, 3, 1, 12, index)).toISOString(),
      changedFields,
      text: exampleExcerpt(seed.text, data, changedFields),
      data,
    };
  });
  await recordExamples(store, 'invoice', { add: corrections });
  const snapshot = await takeSnapshot(storeDir, 'invoice');
  const examples = { issuers: snapshot.issuers, fingerprint: snapshot.fingerprint, promptTokens: 6000 };

  // Offline: the same new documents, without and with what the corrections taught.
  const offlineBaseline = accuracy(rerun, (await extractAll(local, rerun)).data);
  const offlineSeeded = accuracy(rerun, (await extractAll(withExamples(local, examples), rerun)).data);

  console.log(`\nOffline extractor, ${rerun.length} new documents of ${issuers.length} issuers (${fields.length} fields each), 1 corrected document per issuer in the store\n`);
  console.log(`${'field'.padEnd(16)} without  with examples`);
  for (const field of fields) console.log(`${field.padEnd(16)} ${pct(offlineBaseline.perField[field]!)}    ${pct(offlineSeeded.perField[field]!)}`);
  for (const issuer of issuers) console.log(`${issuer.name.slice(0, 16).padEnd(16)} ${pct(offlineBaseline.perIssuer[issuer.name]!)}    ${pct(offlineSeeded.perIssuer[issuer.name]!)}`);
  console.log(`${'all fields'.padEnd(16)} ${pct(offlineBaseline.fields)}    ${pct(offlineSeeded.fields)}`);
  console.log(`${'whole documents'.padEnd(16)} ${String(offlineBaseline.wholeDocuments).padStart(5)}    ${String(offlineSeeded.wholeDocuments).padStart(5)}   of ${rerun.length}`);

  // Emulator: what the examples cost in the Claude prompt, and how they are cached.
  const emulator = await startEmulator({ validKeys: ['bench-key'] });
  const claude: Record<string, unknown>[] = [];
  try {
    for (const model of ['claude-haiku-4-5', 'claude-sonnet-4-6']) {
      for (const withSeed of [false, true]) {
        const extractor = createAnthropicExtractor({ apiKey: 'bench-key', baseURL: emulator.url, models: { simple: model, complex: model, escalation: model }, rateLimiter: false });
        const before = emulator.stats.requests;
        const run = await extractAll(withSeed ? withExamples(extractor, examples) : extractor, rerun);
        const requests = (emulator.stats.requests) - before;
        claude.push({ model, examples: withSeed, documents: rerun.length, requests, calls: run.calls, ...run.usage, fieldAccuracy: accuracy(rerun, run.data).fields });
      }
    }
  } finally {
    await emulator.stop();
  }
  console.log(`\nClaude extractor against the emulator, the same ${rerun.length} documents one after another (examples: ${snapshot.issuers.length} issuers, budget ${examples.promptTokens} tokens)\n`);
  console.log(`${'model'.padEnd(18)} examples  requests  input  cache read  cache write  output  cost USD`);
  for (const row of claude as ({ model: string; examples: boolean; requests: number } & Usage)[]) {
    console.log(
      `${row.model.padEnd(18)} ${(row.examples ? 'yes' : 'no').padEnd(8)}  ${String(row.requests).padStart(8)}  ${String(row.inputTokens).padStart(5)}  ${String(row.cacheReadTokens).padStart(10)}  ${String(row.cacheWriteTokens).padStart(11)}  ${String(row.outputTokens).padStart(6)}  ${row.costUsd.toFixed(4)}`,
    );
  }
  console.log('\nThe emulator answers from docbatch\'s offline rules, not a model: its field accuracy does not move with examples, so only the cost and caching rows mean something.');

  await mkdir(resultsDir, { recursive: true });
  const json = JSON.stringify({ at: new Date().toISOString(), documents: rerun.length, issuers: issuers.length, fields, offline: { baseline: offlineBaseline, seeded: offlineSeeded }, claude }, null, 2) + '\n';
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  await writeFile(path.join(resultsDir, `seeding-${stamp}.json`), json);
  await writeFile(path.join(resultsDir, 'latest-seeding.json'), json);
  console.log(`wrote bench/results/seeding-${stamp}.json`);
}

try {
  await main();
} finally {
  await closeSharedDecoderPool();
}
