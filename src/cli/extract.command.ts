import fs from 'node:fs/promises';
import { Command } from 'commander';
import type { ExtractedComment } from '../domain/comment';
import { AppError } from '../lib/errors';
import { decodeHtml } from '../ingest/extract/decode';
import { extractComments } from '../ingest/extract';
import { fetchPage } from '../ingest/fetch-page';
import { extractSeedComments, isSeedText } from '../ingest/seed-text';

/** `vigie extract <file|url|->`: prints the comments found as JSON; stores nothing. */
export function extractCommand(): Command {
  return new Command('extract')
    .description('extract reader comments from an HTML page, a URL or a seed text dump, and print them as JSON')
    .argument('<source>', 'file path, http(s) URL, or - for stdin')
    .option('--url <pageUrl>', 'page URL the HTML came from (for files and stdin)')
    .action(async (source: string, options: { url?: string }) => {
      try {
        const comments = await extractFromSource(source, options.url);
        process.stdout.write(`${JSON.stringify(comments, null, 2)}\n`);
      } catch (err) {
        const message = err instanceof AppError ? `${err.publicMessage} (${err.code})` : (err as Error).message;
        process.stderr.write(`vigie extract: ${message}\n`);
        process.exitCode = 1;
      }
    });
}

async function extractFromSource(source: string, pageUrl?: string): Promise<ExtractedComment[]> {
  if (/^https?:\/\//i.test(source)) {
    const page = await fetchPage(source);
    return extractComments(page.html, page.finalUrl);
  }
  const bytes = source === '-' ? await readStdin() : await fs.readFile(source);
  const text = decodeHtml(bytes);
  if (isSeedText(text)) return extractSeedComments(text);
  return extractComments(text, pageUrl ?? (source === '-' ? 'stdin:' : `file://${source}`));
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}
