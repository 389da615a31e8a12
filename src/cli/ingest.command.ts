import { Command } from 'commander';
import type { IncomingComment } from '../domain/comment';
import { acceptComments } from '../ingest/accept-comments';
import { fetchPage } from '../ingest/fetch-page';
import { fetchWordPressComments } from '../ingest/wordpress/rest';
import { commentsFromBytes, commentsFromFile, toIncoming } from './read-source';
import { CliError, EXIT, openBase, openScoreQueue, openStore, requireRedis } from './runtime';

interface IngestOptions {
  wordpress?: string;
  post?: number;
  site?: string;
  url?: string;
  json?: boolean;
}

export function ingestCommand(): Command {
  return new Command('ingest')
    .description('Extract the reader comments of a page (file, URL or - for stdin), store them and queue them for scoring')
    .argument('[source]', 'a saved HTML page or seed text dump, an http(s) URL, or - for stdin')
    .option('--wordpress <site-url>', 'read a post\'s comments through the WordPress REST API of this site (with --post)')
    .option('--post <id>', 'WordPress post id', (v) => {
      const id = Number(v);
      if (!Number.isInteger(id) || id <= 0) throw new CliError(`--post must be a positive integer, got "${v}"`, EXIT.usage);
      return id;
    })
    .option('--site <id>', 'site id to file the comments under (default: the page host)')
    .option('--url <page-url>', 'public URL of the page when reading a file or stdin')
    .option('--json', 'print the result as JSON')
    .action(async (sourceArg: string | undefined, options: IngestOptions) => {
      if (Boolean(options.wordpress) !== (options.post !== undefined)) {
        throw new CliError('--wordpress and --post go together', EXIT.usage);
      }
      if (!sourceArg && !options.wordpress) throw new CliError('give a file, a URL, - for stdin, or --wordpress <site> --post <id>', EXIT.usage);
      const source = sourceArg ?? `${options.wordpress} post ${options.post}`;
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
  if (options.wordpress && options.post !== undefined) {
    const site = options.wordpress.replace(/\/+$/, '');
    const extracted = await fetchWordPressComments(site, options.post, { allowPrivateNetworks }).catch((err: Error) => {
      throw new CliError(`cannot read WordPress comments of ${site} post ${options.post}: ${err.message}`, EXIT.failure);
    });
    const articleUrl = options.url ?? `${site}/?p=${options.post}`;
    return toIncoming(extracted, {
      siteId: options.site ?? new URL(site).hostname,
      articleUrl,
      articleTitle: null,
      source: 'wordpress',
      scopeIds: false,
    });
  }
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
