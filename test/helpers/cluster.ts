import { execFile } from 'node:child_process';
import { appendFile, copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../src/temporal/paths';

const execFileAsync = promisify(execFile);

/**
 * `npm run cluster -- <args>`, as docs/deployment.md shows it (the test runs the same commands).
 * Resolves with its stderr (the log) and stdout.
 */
export async function clusterCommand(args: string[], env: Record<string, string> = {}, timeoutMs = 60 * 60_000): Promise<{ stdout: string; stderr: string }> {
  try {
    return await execFileAsync(process.execPath, ['--import', 'tsx', 'scripts/cluster.ts', ...args], {
      cwd: projectRoot,
      env: { ...process.env, ...env },
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`npm run cluster -- ${args.join(' ')} failed: ${e.stderr ?? e.message}`, { cause: err });
  }
}

/**
 * A corpus of `count` distinct documents from the samples: text invoices, text-layer PDFs (one in
 * ten) and scans (one in a hundred: OCR is the expensive part). Each copy differs in its last
 * bytes, so every document has its own identity at the emulator and in the result cache.
 */
export async function sampleCorpus(dir: string, count: number): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const invoices = path.join(projectRoot, 'samples', 'invoices');
  const names = await readdir(invoices);
  const texts = names.filter((n) => n.startsWith('invoice-') && /\.(txt|md)$/.test(n));
  const pdfs = names.filter((n) => n.startsWith('invoice-') && n.endsWith('.pdf'));
  const scans = [path.join(projectRoot, 'samples', 'formats', 'scan-receipt.bmp')];
  const textBodies = await Promise.all(texts.map((n) => readFile(path.join(invoices, n), 'utf8')));
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const stem = `doc-${String(i).padStart(5, '0')}`;
    let file: string;
    if (i % 100 === 99) {
      const scan = scans[i % scans.length]!;
      file = path.join(dir, `${stem}${path.extname(scan)}`);
      await copyFile(scan, file);
      await appendFile(file, Buffer.from(`\n${stem}\n`));
    } else if (i % 10 === 5) {
      const pdf = pdfs[i % pdfs.length]!;
      file = path.join(dir, `${stem}.pdf`);
      await copyFile(path.join(invoices, pdf), file);
      await appendFile(file, `\n%${stem}\n`);
    } else {
      const k = i % texts.length;
      file = path.join(dir, `${stem}${path.extname(texts[k]!)}`);
      await appendFile(file, `${textBodies[k]!}\nThank you for your business (copy ${i}).\n`);
    }
    files.push(file);
  }
  return files;
}
