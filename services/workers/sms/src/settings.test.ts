import { ConfigError } from '@gateway/common';
import { loadSmsWorkerSettings } from './settings';

const base = { KAFKA_BROKERS: '127.0.0.1:9092', REDIS_URL: 'redis://127.0.0.1:6379' };
const esms = { ESMS_API_KEY: 'k', ESMS_SECRET_KEY: 's', ESMS_BRANDNAME: 'THANHUY-DN' };
const twilio = { TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'x'.repeat(32), TWILIO_FROM: '+15005550006' };

function problems(env: Record<string, string>): string[] {
  try {
    loadSmsWorkerSettings(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('SMS worker settings', () => {
  it('when only eSMS is listed, then Twilio credentials are not required, and the defaults apply', () => {
    const s = loadSmsWorkerSettings({ ...base, ...esms, SMS_PROVIDERS: 'esms' });
    expect(s.sms.providers).toEqual([expect.objectContaining({ kind: 'esms', brandname: 'THANHUY-DN', smsType: '2', baseUrl: 'https://rest.esms.vn' })]);
    expect(s.core).toMatchObject({ channel: 'sms', concurrency: 16, partitionsConcurrently: 12, retry: { maxAttempts: 8, baseMs: 10_000, capMs: 600_000 }, kafka: { groupId: 'gateway-worker-sms' }, claim: { leaseMs: 60_000 } });
    expect(s.sms.circuit).toEqual({ failureThreshold: 5, windowMs: 30_000, cooldownMs: 30_000 });
  });

  it('when Twilio is listed, then its credentials are required, and every missing one is named at once with the core problems', () => {
    const found = problems({ REDIS_URL: 'redis://x', SMS_PROVIDERS: 'esms,twilio', ...esms });
    expect(found.join('\n')).toMatch(/KAFKA_BROKERS/);
    expect(found.join('\n')).toMatch(/TWILIO_ACCOUNT_SID/);
    expect(found.join('\n')).toMatch(/TWILIO_AUTH_TOKEN/);
  });

  it('when Twilio has both or neither of a sender number and a messaging service, then it refuses', () => {
    const { TWILIO_FROM: _from, ...noSender } = twilio;
    expect(problems({ ...base, ...noSender, SMS_PROVIDERS: 'twilio' }).join('\n')).toMatch(/exactly one of TWILIO_FROM and TWILIO_MESSAGING_SERVICE_SID/);
    expect(problems({ ...base, ...twilio, TWILIO_MESSAGING_SERVICE_SID: `MG${'b'.repeat(32)}`, SMS_PROVIDERS: 'twilio' }).join('\n')).toMatch(/exactly one/);
  });

  it('when providers are listed in order, then that order is kept', () => {
    const s = loadSmsWorkerSettings({ ...base, ...esms, ...twilio, SMS_PROVIDERS: 'twilio, esms' });
    expect(s.sms.providers.map((p) => p.kind)).toEqual(['twilio', 'esms']);
  });

  it('when a provider is unknown or repeated, or the policy is inconsistent, then it refuses with the reasons', () => {
    expect(problems({ ...base, SMS_PROVIDERS: 'viettel' }).join('\n')).toMatch(/SMS_PROVIDERS/);
    expect(problems({ ...base, ...esms, SMS_PROVIDERS: 'esms,esms' }).join('\n')).toMatch(/twice/);
    expect(problems({ ...base, ...esms, SMS_PROVIDERS: 'esms', SMS_RETRY_BASE_MS: '5000', SMS_RETRY_CAP_MS: '1000' }).join('\n')).toMatch(/SMS_RETRY_CAP_MS/);
    expect(problems({ ...base, ...esms, SMS_PROVIDERS: 'esms', CLAIM_LEASE_MS: '10000' }).join('\n')).toMatch(/CLAIM_LEASE_MS/);
    expect(problems({ ...base, ...esms, ESMS_BRANDNAME: 'VANPHONGTHANHUY', SMS_PROVIDERS: 'esms' }).join('\n')).toMatch(/ESMS_BRANDNAME/);
  });

  it('when a secret is wrong, then the message does not show it', () => {
    const text = problems({ ...base, ...twilio, TWILIO_AUTH_TOKEN: 'tok3n', SMS_PROVIDERS: 'twilio' }).join('\n');
    expect(text).toMatch(/TWILIO_AUTH_TOKEN/);
    expect(text).not.toContain('tok3n');
  });
});
