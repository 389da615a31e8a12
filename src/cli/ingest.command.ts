import { Command } from 'commander';
import type { IncomingComment } from '../domain/comment';
import { acceptComments } from '../ingest/accept-comments';
import { fetchPage } from '../ingest/fetch-page';
import type { WordPressComments } from '../ingest/wordpress/read-comments';
import {
  commentsFromBytes,
  commentsFromFile,
  describeWordPressPath,
  parsePostId,
  parseVia,
  readWordPressSource,
  toIncoming,
  WORDPRESS_OPTION_HELP,
  wordPressSourceOf,
  type WordPressOptions,
  type WordPressSource,
} from './read-source';
import { closeRedisConnection } from '../queue/connection';
import { CliError, EXIT, openBase, openScoreQueue, openStore, requireRedis } from './runtime';

interface IngestOptions extends WordPressOptions {
  site?: string;
  url?: string;
  json?: boolean;
}

interface ReadResult {
  comments: IncomingComment[];
  /** Set for WordPress sources: which path answered. */
  wordpress?: WordPressComments;
}

export function ingestCommand(): Command {
  return new Command('ingest')
    .description('Extract the reader comments of a page (file, URL or - for stdin) or a WordPress post, store them and queue them for scoring')
    .argument('[source]', 'a saved HTML page or seed text dump, an http(s) URL, or - for stdin')
    .option('--wordpress <site-url>', WORDPRESS_OPTION_HELP.wordpress)
    .option('--post <id>', WORDPRESS_OPTION_HELP.post, parsePostId)
    .option('--via <path>', WORDPRESS_OPTION_HELP.via, parseVia)
    .option('--site <id>', 'site id to file the comments under (default: the page host)')
    .option('--url <page-url>', 'public URL of the page when reading a file or stdin')
    .option('--json', 'print the result as JSON')
    .action(async (sourceArg: string | undefined, options: IngestOptions) => {
      const wordpress = wordPressSourceOf(options);
      if (!sourceArg && !wordpress) throw new CliError('give a file, a URL, - for stdin, or --wordpress <site> --post <id>', EXIT.usage);
      if (sourceArg && wordpress) throw new CliError('give either a source or --wordpress <site> --post <id>, not both', EXIT.usage);
      const source = wordpress ? `${wordpress.site} post ${wordpress.post}` : sourceArg!;
      const base = openBase({ logsTo: 'stderr' });
      const allowPrivate = base.config.ALLOW_PRIVATE_FETCH;
      const read: ReadResult = wordpress
        ? await readWordPress(wordpress, options, allowPrivate)
        : { comments: await readComments(source, options, allowPrivate) };
      const { comments, wordpress: wordpressPath } = read;
      if (wordpressPath) base.logger.debug({ source, via: wordpressPath.via, restFailure: wordpressPath.restFailure }, 'wordpress comments read');
      await requireRedis(base.config);
      const db = await openStore(base);
      const { queue, connection } = openScoreQueue(base);
      try {
        const accepted = await acceptComments({ db, scoreQueue: queue, logger: base.logger }, comments);
        const created = accepted.filter((a) => a.outcome === 'created').length;
        const edited = accepted.filter((a) => a.outcome === 'edited').length;
        const summary = {
          source,
          ...(wordpressPath && { via: wordpressPath.via, restFailure: wordpressPath.restFailure }),
          found: comments.length,
          created,
          edited,
          unchanged: accepted.length - created - edited,
        };
        const through = wordpressPath ? ` (${describeWordPressPath(wordpressPath)})` : '';
        process.stdout.write(
          options.json
            ? JSON.stringify({ ...summary, comments: accepted }) + '\n'
            : summary.found === 0
              ? `${source}: no reader comments found${through}; nothing stored\n`
              : `${source}: ${summary.found} comments found${through}, ${created} new, ${edited} edited, ${summary.unchanged} already known; queued for scoring\n`,
        );
      } finally {
        await queue.close().catch(() => undefined);
        await closeRedisConnection(connection);
        await db.close();
      }
    });
}

async function readWordPress(source: WordPressSource, options: IngestOptions, allowPrivateNetworks: boolean): Promise<ReadResult> {
  const read = await readWordPressSource(source, allowPrivateNetworks);
  const comments = toIncoming(read.comments, {
    siteId: options.site ?? new URL(source.site).hostname,
    articleUrl: options.url ?? `${source.site}/?p=${source.post}`,
    articleTitle: null,
    source: 'wordpress',
    scopeIds: false,
  });
  return { comments, wordpress: read };
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
