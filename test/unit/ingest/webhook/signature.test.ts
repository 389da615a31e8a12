import { signPayload, verifySignature } from '../../../../src/ingest/webhook/signature';

const secret = 'a-very-secret-value';
const body = Buffer.from('{"hello":"monde"}');
const now = 1_764_000_000;

describe('webhook signature', () => {
  it('accepts a fresh signature of the exact body', () => {
    expect(verifySignature(secret, signPayload(secret, body, now), body, now + 10)).toEqual({ ok: true });
  });

  it('rejects another body, another secret, a missing or malformed header', () => {
    const header = signPayload(secret, body, now);
    expect(verifySignature(secret, header, Buffer.from('{"hello":"world"}'), now)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature('another-secret-value', header, body, now)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature(secret, undefined, body, now)).toEqual({ ok: false, reason: 'missing' });
    expect(verifySignature(secret, 'v1=abc', body, now)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifySignature(secret, `t=${now},v1=zz`, body, now)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('rejects timestamps more than 5 minutes away', () => {
    expect(verifySignature(secret, signPayload(secret, body, now - 301), body, now)).toEqual({ ok: false, reason: 'stale' });
    expect(verifySignature(secret, signPayload(secret, body, now - 299), body, now)).toEqual({ ok: true });
  });
});
