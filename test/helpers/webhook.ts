import { signPayload } from '../../src/ingest/webhook/signature';

export const TEST_SECRET = 'test-webhook-secret-0123456789';

export function webhookBody(overrides: { id?: string; text?: string; site?: string; parentId?: string | null } = {}) {
  return {
    site: overrides.site ?? 'le-journal',
    article: { url: 'https://journal.example.fr/politique/mali', title: 'Sécurité au Mali' },
    comment: {
      id: overrides.id ?? 'cms-1',
      parentId: overrides.parentId ?? null,
      author: 'Kotato',
      text: overrides.text ?? 'Merci pour cet article très clair.',
      publishedAt: '2025-11-24T09:30:00+01:00',
    },
  };
}

export function signedHeaders(raw: string, secret = TEST_SECRET, timestamp?: number) {
  return { 'Content-Type': 'application/json', 'X-Vigie-Signature': signPayload(secret, raw, timestamp) };
}
