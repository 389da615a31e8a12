import fs from 'node:fs/promises';
import { Command } from 'commander';
import { loadConfig } from '../config';
import type { ExtractedComment } from '../domain/comment';
import { AppError } from '../lib/errors';
import { decodeHtml } from '../ingest/extract/decode';
import { extractComments } from '../ingest/extract';
import { fetchPage } from '../ingest/fetch-page';
import { extractSeedComments, isSeedText } from '../ingest/seed-text';
import {
  describeWordPressPath,
  parsePostId,
  parseVia,
  readWordPressSource,
  WORDPRESS_OPTION_HELP,
  wordPressSourceOf,
  type WordPressOptions,
} from './read-source';
import { CliError, EXIT } from './runtime';

interface ExtractOptions extends WordPressOptions {
  url?: string;
}

/** `vigie extract <file|url|->` or `--wordpress <site> --post <id>`: prints the comments found as JSON; stores nothing. */
export function extractCommand(): Command {
  return new Command('extract')
    .description('extract reader comments from an HTML page, a URL, a seed text dump or a WordPress post, and print them as JSON')
    .argument('[source]', 'file path, http(s) URL, or - for stdin')
    .option('--url <pageUrl>', 'page URL the HTML came from (for files and stdin)')
    .option('--wordpress <site-url>', WORDPRESS_OPTION_HELP.wordpress)
    .option('--post <id>', WORDPRESS_OPTION_HELP.post, parsePostId)
    .option('--via <path>', WORDPRESS_OPTION_HELP.via, parseVia)
    .action(async (source: string | undefined, options: ExtractOptions) => {
      const wordpress = wordPressSourceOf(options);
      if (!source && !wordpress) throw new CliError('give a file, a URL, - for stdin, or --wordpress <site> --post <id>', EXIT.usage);
      if (source && wordpress) throw new CliError('give either a source or --wordpress <site> --post <id>, not both', EXIT.usage);
      if (wordpress) {
        const read = await readWordPressSource(wordpress, loadConfig().ALLOW_PRIVATE_FETCH);
        process.stderr.write(`vigie extract: ${read.comments.length} comments ${describeWordPressPath(read)}\n`);
        process.stdout.write(`${JSON.stringify(read.comments, null, 2)}\n`);
        return;
      }
      try {
        const comments = await extractFromSource(source!, options.url);
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
