import { ConfigError, parseSettings } from '@gateway/common';
import { emailSettingsSchema, toSmtpSenderSettings } from '../src';

const parse = (env: Record<string, string>) => parseSettings('email-worker', emailSettingsSchema, env);

describe('email settings', () => {
  it('when only the relay and From are set, then the defaults apply and the Message-ID domain comes from From', () => {
    const settings = toSmtpSenderSettings(parse({ SMTP_HOST: 'smtp.danang.gov.vn', EMAIL_FROM: '"Văn phòng Thành ủy" <thongbao@danang.gov.vn>' }));
    expect(settings).toEqual({
      host: 'smtp.danang.gov.vn',
      port: 587,
      secure: false,
      requireTls: false,
      tls: { rejectUnauthorized: true },
      pool: { maxConnections: 10, maxMessages: 100 },
      timeouts: { connectionMs: 10_000, greetingMs: 10_000, socketMs: 60_000 },
      from: '"Văn phòng Thành ủy" <thongbao@danang.gov.vn>',
      messageIdDomain: 'danang.gov.vn',
    });
  });

  it('when DKIM and auth are set, then the key file is read once and both reach the adapter', () => {
    const read = jest.fn(() => '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n');
    const settings = toSmtpSenderSettings(
      parse({
        SMTP_HOST: 'smtp.danang.gov.vn',
        SMTP_PORT: '465',
        SMTP_SECURE: 'true',
        SMTP_USER: 'thongbao',
        SMTP_PASSWORD: 'bi-mat',
        EMAIL_FROM: 'thongbao@danang.gov.vn',
        EMAIL_DKIM_DOMAIN: 'danang.gov.vn',
        EMAIL_DKIM_SELECTOR: 'gw2025',
        EMAIL_DKIM_PRIVATE_KEY_FILE: '/run/secrets/dkim.pem',
      }),
      read,
    );
    expect(read).toHaveBeenCalledWith('/run/secrets/dkim.pem');
    expect(settings).toMatchObject({ port: 465, secure: true, auth: { user: 'thongbao', pass: 'bi-mat' }, dkim: { domainName: 'danang.gov.vn', keySelector: 'gw2025' } });
  });

  it('when DKIM or auth is half set, then the worker refuses to start and names each setting, without showing the password', () => {
    let error: unknown;
    try {
      parse({ SMTP_HOST: 'smtp.danang.gov.vn', EMAIL_FROM: 'thongbao@danang.gov.vn', SMTP_PASSWORD: 'bi-mat', EMAIL_DKIM_SELECTOR: 'gw2025' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/SMTP_USER/);
    expect(problems).toMatch(/EMAIL_DKIM_DOMAIN/);
    expect(problems).not.toContain('bi-mat');
  });
});
