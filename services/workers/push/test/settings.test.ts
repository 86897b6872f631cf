import webpush from 'web-push';
import { ConfigError, parseSettings } from '@gateway/common';
import { DEFAULT_PUSH_ENDPOINT_HOSTS, MAX_PUSH_PAYLOAD_BYTES, pushSettingsSchema } from '../src';

const keys = webpush.generateVAPIDKeys();
const parse = (env: Record<string, string>) => parseSettings('push-worker', pushSettingsSchema, env);

describe('push settings', () => {
  it('when only the VAPID settings are given, then the defaults apply', () => {
    expect(parse({ WEB_PUSH_VAPID_SUBJECT: 'mailto:quantri@danang.gov.vn', WEB_PUSH_VAPID_PUBLIC_KEY: keys.publicKey, WEB_PUSH_VAPID_PRIVATE_KEY: keys.privateKey })).toEqual({
      WEB_PUSH_VAPID_SUBJECT: 'mailto:quantri@danang.gov.vn',
      WEB_PUSH_VAPID_PUBLIC_KEY: keys.publicKey,
      WEB_PUSH_VAPID_PRIVATE_KEY: keys.privateKey,
      WEB_PUSH_TTL_SECONDS: 86_400,
      WEB_PUSH_TIMEOUT_MS: 10_000,
      WEB_PUSH_MAX_PAYLOAD_BYTES: MAX_PUSH_PAYLOAD_BYTES,
      WEB_PUSH_ENDPOINT_HOSTS: [...DEFAULT_PUSH_ENDPOINT_HOSTS],
      WEB_PUSH_MAX_SUBSCRIPTIONS_PER_USER: 10,
      INBOX_MAX_ITEMS_PER_USER: 1000,
      INBOX_RETENTION_DAYS: 180,
      INBOX_SSE_HEARTBEAT_MS: 15_000,
    });
  });

  it('when the VAPID keys are swapped or the subject is not a URL, then the worker refuses to start and hides the private key', () => {
    let error: unknown;
    try {
      parse({ WEB_PUSH_VAPID_SUBJECT: 'quantri@danang.gov.vn', WEB_PUSH_VAPID_PUBLIC_KEY: keys.privateKey, WEB_PUSH_VAPID_PRIVATE_KEY: keys.publicKey });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.map((p) => p.split(':')[0])).toEqual(['WEB_PUSH_VAPID_SUBJECT', 'WEB_PUSH_VAPID_PUBLIC_KEY', 'WEB_PUSH_VAPID_PRIVATE_KEY']);
    expect(problems.join('\n')).not.toContain(keys.privateKey);
  });
});
