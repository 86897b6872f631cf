import webpush from 'web-push';
import { ConfigError, parseSettings } from '@gateway/common';
import { DEFAULT_PUSH_ENDPOINT_HOSTS, MAX_PUSH_PAYLOAD_BYTES, pushSettingsSchema } from '../src';

const keys = webpush.generateVAPIDKeys();
const parse = (env: Record<string, string>) => parseSettings('push-worker', pushSettingsSchema, env);

describe('push settings', () => {
  it('when only the VAPID settings are given, then the defaults apply', () => {
    expect(parse({ WEB_PUSH_VAPID_SUBJECT: 'mailto:quantri@danang.gov.vn', WEB_PUSH_VAPID_PUBLIC_KEY: keys.publicKey, WEB_PUSH_VAPID_PRIVATE_KEY: keys.privateKey })).toEqual({
      webPush: {
        vapid: { subject: 'mailto:quantri@danang.gov.vn', publicKey: keys.publicKey, privateKey: keys.privateKey },
        ttlSeconds: 86_400,
        timeoutMs: 10_000,
        maxPayloadBytes: MAX_PUSH_PAYLOAD_BYTES,
        endpointHosts: [...DEFAULT_PUSH_ENDPOINT_HOSTS],
        maxSubscriptionsPerUser: 10,
      },
      inbox: { maxItemsPerUser: 1000, retentionDays: 180, sseHeartbeatMs: 15_000 },
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
