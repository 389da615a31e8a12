import { Command } from 'commander';
import type { IncomingComment } from '../domain/comment';
import { acceptComments } from '../ingest/accept-comments';
import { fetchPage } from '../ingest/fetch-page';
import { commentsFromBytes, commentsFromFile } from './read-source';
import { CliError, EXIT, openBase, openScoreQueue, openStore, requireRedis } from './runtime';

interface IngestOptions {
  site?: string;
  url?: string;
  json?: boolean;
}

export function ingestCommand(): Command {
  return new Command('ingest')
    .description('Extract the reader comments of a page (file, URL or - for stdin), store them and queue them for scoring')
    .argument('<source>', 'a saved HTML page or seed text dump, an http(s) URL, or - for stdin')
    .option('--site <id>', 'site id to file the comments under (default: the page host)')
    .option('--url <page-url>', 'public URL of the page when reading a file or stdin')
    .option('--json', 'print the result as JSON')
    .action(async (source: string, options: IngestOptions) => {
      const base = openBase();
      const comments = await readComments(source, options, base.config.ALLOW_PRIVATE_FETCH);
      await requireRedis(base.config);
      const db = await openStore(base);
      const { queue, connection } = openScoreQueue(base);
      try {
        const accepted = await acceptComments({ db, scoreQueue: queue, logger: base.logger }, comments);
        const created = accepted.filter((a) => a.outcome === 'created').length;
        const edited = accepted.filter((a) => a.outcome === 'edited').length;
        const summary = { source, found: comments.length, created, edited, unchanged: accepted.length - created - edited };
        process.stdout.write(
          options.json
            ? JSON.stringify({ ...summary, comments: accepted }) + '\n'
            : `${source}: ${summary.found} comments found, ${created} new, ${edited} edited, ${summary.unchanged} already known; queued for scoring\n`,
        );
      } finally {
        await queue.close();
        await connection.quit();
        await db.close();
      }
    });
}

async function readComments(source: string, options: IngestOptions, allowPrivateNetworks: boolean): Promise<IncomingComment[]> {
  if (/^https?:\/\//i.test(source)) {
    const page = await fetchPage(source, { allowPrivateNetworks }).catch((err: Error) => {
      throw new CliError(`cannot fetch ${source}: ${err.message}`, EXIT.failure);
    });
    return commentsFromBytes(Buffer.from(page.html, 'utf8'), {
      siteId: options.site,
      articleUrl: options.url ?? page.finalUrl,
    });
  }
  if (source === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return commentsFromBytes(Buffer.concat(chunks), {
      siteId: options.site,
      articleUrl: options.url ?? 'stdin:',
    });
  }
  try {
    return await commentsFromFile(source, { siteId: options.site, articleUrl: options.url });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new CliError(`no such file: ${source}`, EXIT.usage);
    throw err;
  }
}
