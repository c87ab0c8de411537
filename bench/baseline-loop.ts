import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import pLimit from 'p-limit';
import { loadDocument } from '../src/extraction/document';
import type { Extractor } from '../src/extraction/extractor';
import { invoiceSchema } from '../src/extraction/schemas/invoice';

/**
 * The loop people would write instead of docbatch, over files already listed: `inFlight` at a
 * time, each loaded, extracted and appended to one JSONL file as one line. No Temporal, no
 * checkpoints, no retries. Resolves with the documents that succeeded once the file is written.
 */
export async function extractAllInALoop(files: readonly string[], extractor: Extractor, resultsFile: string, inFlight: number): Promise<number> {
  const limit = pLimit(inFlight);
  const out = createWriteStream(resultsFile);
  out.setMaxListeners(inFlight + 1);
  let succeeded = 0;
  await Promise.all(
    files.map((file) =>
      limit(async () => {
        const document = await loadDocument(file);
        const extraction = await extractor.extract({ document, schemaName: 'invoice', schema: invoiceSchema });
        succeeded++;
        if (!out.write(JSON.stringify({ path: file, status: 'succeeded', data: extraction.data, model: extraction.model }) + '\n')) await once(out, 'drain');
      }),
    ),
  );
  out.end();
  await once(out, 'finish');
  return succeeded;
}
