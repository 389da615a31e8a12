import { UnrecoverableError } from 'bullmq';
import { signPayload } from '../ingest/webhook/signature';
import type { DecisionNotification } from './decision-payload';

export const NOTIFY_TIMEOUT_MS = 10_000;

/**
 * POSTs a decision to the CMS, signed like inbound webhooks. Server errors, timeouts, 408 and 429
 * are retried by the queue; other 4xx mean the CMS will never accept this body, so no retry.
 */
export async function postDecision(
  callbackUrl: string,
  secret: string,
  notification: DecisionNotification,
  fetchImpl: typeof fetch = fetch,
): Promise<void> {
  const body = JSON.stringify(notification);
  const response = await fetchImpl(callbackUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Vigie-Signature': signPayload(secret, body) },
    body,
    redirect: 'error',
    signal: AbortSignal.timeout(NOTIFY_TIMEOUT_MS),
  });
  await response.body?.cancel().catch(() => undefined);
  if (response.ok) return;
  const retriable = response.status >= 500 || response.status === 408 || response.status === 429;
  const message = `CMS callback answered HTTP ${response.status}`;
  throw retriable ? new Error(message) : new UnrecoverableError(message);
}
