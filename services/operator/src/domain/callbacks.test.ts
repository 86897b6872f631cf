import { documentedVerifier } from '../../test/callback-receiver';
import { backoffMs, callbackItemOf, outcomeOfAnswer, parseRetryAfter, signCallback, verifyCallbackSignature } from './callbacks';

describe('callback signatures', () => {
  const secret = 'whsec_test-secret-of-enough-length-0123456789';
  const body = JSON.stringify({ version: 1, type: 'notification.status', events: [{ messageId: 'm-1', status: 'delivered' }] });
  const now = 1_800_000_000;

  it('when signed, then the header is t=<seconds>,v1=<64 hex> and verifies with the same secret and body', () => {
    const header = signCallback(secret, body, now);
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    expect(verifyCallbackSignature(secret, header, body, now + 10)).toEqual({ ok: true });
  });

  it('when the body is tampered with, or the secret differs, then it is a mismatch', () => {
    const header = signCallback(secret, body, now);
    expect(verifyCallbackSignature(secret, header, body.replace('delivered', 'failed'), now)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyCallbackSignature(`${secret}x`, header, body, now)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('when the timestamp is older than the replay window, or the header is malformed, then it is refused', () => {
    expect(verifyCallbackSignature(secret, signCallback(secret, body, now - 301), body, now)).toEqual({ ok: false, reason: 'too old' });
    expect(verifyCallbackSignature(secret, signCallback(secret, body, now - 300), body, now)).toEqual({ ok: true });
    expect(verifyCallbackSignature(secret, 'v1=abc', body, now)).toEqual({ ok: false, reason: 'malformed' });
    // The timestamp is signed too: moving it breaks the signature.
    const forged = signCallback(secret, body, now - 1000).replace('t=1799999000', `t=${now}`);
    expect(verifyCallbackSignature(secret, forged, body, now)).toEqual({ ok: false, reason: 'mismatch' });
  });
});

describe('the verification snippet of the sending teams\' guide (contracts/README.md)', () => {
  const secret = 'whsec_snippet-secret-0123456789abcdef0123';
  const body = '{"version":1,"type":"notification.status"}';
  const now = 1_800_000_000;
  const verify = documentedVerifier();

  it('when given what the gateway signs, then it accepts it; a tampered body, another secret or an old timestamp it refuses', () => {
    const header = signCallback(secret, body, now);
    expect(verify(secret, header, body, now + 5)).toBe(true);
    expect(verify(secret, header, `${body} `, now)).toBe(false);
    expect(verify('whsec_other', header, body, now)).toBe(false);
    expect(verify(secret, header, body, now + 301)).toBe(false);
    expect(verify(secret, 'garbage', body, now)).toBe(false);
  });
});

describe('callback answers and backoff', () => {
  it('when the receiver answers, then 2xx is delivered, 5xx/408/429 retried (with Retry-After), other 4xx given up', () => {
    expect(outcomeOfAnswer(204, null)).toEqual({ kind: 'delivered' });
    expect(outcomeOfAnswer(503, null)).toEqual({ kind: 'retry', reason: 'HTTP 503' });
    expect(outcomeOfAnswer(429, '7')).toEqual({ kind: 'retry', reason: 'HTTP 429', retryAfterMs: 7000 });
    expect(outcomeOfAnswer(400, null)).toEqual({ kind: 'give up', reason: 'HTTP 400' });
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('when attempts fail, then the wait doubles up to the cap, jitter only shortens it, and a longer Retry-After wins', () => {
    const policy = { baseMs: 1000, maxMs: 8000 };
    expect([1, 2, 3, 4, 5].map((a) => backoffMs(a, policy, undefined, () => 0))).toEqual([1000, 2000, 4000, 8000, 8000]);
    expect(backoffMs(2, policy, undefined, () => 1)).toBe(1600);
    expect(backoffMs(1, policy, 5000, () => 0)).toBe(5000);
    expect(backoffMs(1, policy, 60_000, () => 0)).toBe(8000);
  });
});

describe('status as a callback item', () => {
  const status = { messageId: 'm-1', eventId: 'e-1', channel: 'sms' as const, at: '2026-12-02T01:00:00Z', attempt: 1 };
  it('when the state is internal, then nothing is sent; otherwise the item carries the recipient and the reason', () => {
    expect(callbackItemOf({ ...status, status: 'rendered' }, { source: 's' })).toBeUndefined();
    expect(callbackItemOf({ ...status, status: 'retrying' }, { source: 's' })).toBeUndefined();
    expect(callbackItemOf({ ...status, status: 'failed', error: { class: 'permanent', message: 'số không hợp lệ' } }, { source: 's', recipientId: 'nguyen-van-an' })).toEqual({ messageId: 'm-1', eventId: 'e-1', channel: 'sms', status: 'failed', at: status.at, recipientId: 'nguyen-van-an', reason: 'số không hợp lệ' });
  });
});
