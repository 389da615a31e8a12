import { z } from 'zod';
import type { IncomingComment } from '../../domain/comment';

export const MAX_WEBHOOK_BODY_BYTES = 64 * 1024;
export const MAX_BATCH_COMMENTS = 100;
export const MAX_COMMENT_TEXT_CHARS = 50_000;

const httpUrl = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' });

/** PostgreSQL text cannot hold U+0000; say so to the CMS instead of failing at the insert. */
const storableText = () => z.string().refine((s) => !s.includes('\u0000'), 'must not contain a NUL character (U+0000)');

const itemSchema = z.object({
  site: storableText().trim().min(1).max(200),
  article: z.object({
    url: httpUrl,
    title: storableText().max(1_000).nullish(),
  }),
  comment: z.object({
    id: z.union([storableText().trim().min(1).max(200), z.number().int().transform(String)]),
    parentId: z.union([storableText().trim().min(1).max(200), z.number().int().transform(String)]).nullish(),
    author: storableText().max(500).nullish(),
    text: storableText().min(1, 'must not be empty').max(MAX_COMMENT_TEXT_CHARS),
    publishedAt: z.iso.datetime({ offset: true }).nullish(),
  }),
});

/** One comment as documented in the README, or `{"comments": [...]}` with up to 100 of them. */
export const webhookPayloadSchema = z.union([
  itemSchema,
  z.object({ comments: z.array(itemSchema).min(1).max(MAX_BATCH_COMMENTS) }),
]);

export type WebhookItem = z.infer<typeof itemSchema>;

export function toIncomingComment(item: WebhookItem): IncomingComment {
  return {
    siteId: item.site,
    articleUrl: item.article.url,
    articleTitle: item.article.title ?? null,
    sourceId: item.comment.id,
    parentSourceId: item.comment.parentId ?? null,
    author: item.comment.author ?? null,
    text: item.comment.text,
    publishedAt: item.comment.publishedAt ?? null,
    source: 'webhook',
  };
}

export type ParsedWebhook = { ok: true; items: WebhookItem[]; batch: boolean } | { ok: false; field: string; message: string };

export function parseWebhookPayload(json: unknown): ParsedWebhook {
  const batch = typeof json === 'object' && json !== null && 'comments' in json;
  const schema = batch ? z.object({ comments: z.array(itemSchema).min(1).max(MAX_BATCH_COMMENTS) }) : itemSchema;
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, field: issue.path.join('.') || '(body)', message: issue.message };
  }
  const data = parsed.data as WebhookItem | { comments: WebhookItem[] };
  return { ok: true, batch, items: 'comments' in data ? data.comments : [data] };
}
