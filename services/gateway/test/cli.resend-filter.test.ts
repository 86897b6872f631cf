import { parseResendFilter, parseVnTime } from '../src/cli/resend-filter';
import { resolveKey, loadCliSettings } from '../src/cli/settings';
import { UsageError, CliError } from '../src/cli/errors';

// 2025-09-29 07:30 in Vietnam (UTC+7).
const now = new Date('2025-09-29T00:30:00Z');

describe('resend filter from the command line', () => {
  it('when --status failed --channel sms --event --since 08:00 are given, then the filter has those values and 08:00 is today in Vietnam time', () => {
    const later = new Date('2025-09-29T05:00:00Z'); // 12:00 in Vietnam
    expect(parseResendFilter({ status: 'failed', channel: 'sms', event: 'evt-1', since: '08:00' }, later)).toEqual({ status: 'failed', channel: 'sms', eventId: 'evt-1', from: '2025-09-29T01:00:00.000Z' });
  });

  it('when lists, source, recipient and a window are given, then lists stay lists (de-duplicated) and the times are instants', () => {
    expect(parseResendFilter({ status: 'failed, dead,failed', channel: 'sms,email', source: 'vpthanhuy-lichhop', recipient: 'Nguyễn Văn An', since: '2025-09-28', until: '2025-09-28 17:30' }, now)).toEqual({
      status: ['failed', 'dead'],
      channel: ['sms', 'email'],
      source: 'vpthanhuy-lichhop',
      recipient: 'Nguyễn Văn An',
      from: '2025-09-27T17:00:00.000Z',
      to: '2025-09-28T10:30:00.000Z',
    });
  });

  it('when a time carries its own offset, then it is kept; a Vietnam date near midnight UTC is still that Vietnam day', () => {
    expect(parseVnTime('since', '2025-09-29T08:00:00Z', now)).toBe('2025-09-29T08:00:00.000Z');
    expect(parseVnTime('since', '06:15', new Date('2025-09-28T23:30:00Z'))).toBe('2025-09-28T23:15:00.000Z');
  });

  it.each([
    [{}, /refusing to resend everything/],
    [{ status: 'broken' }, /--status: unknown broken/],
    [{ channel: 'fax' }, /--channel: unknown fax/],
    [{ since: '25:00' }, /--since: "25:00" is not a time/],
    [{ since: '2025-02-30' }, /--since: "2025-02-30" is not a time/],
    [{ since: '2025-09-29T08:00:00+7' }, /is not a time/],
    [{ since: '09:00' }, /is in the future/],
    [{ since: '2025-09-28 10:00', until: '2025-09-28 09:00' }, /after --until/],
    [{ event: '  ' }, /--event needs a value/],
  ])('when the flags are %j, then it is a usage error (exit 2) saying why', (flags, message) => {
    let error: unknown;
    try {
      parseResendFilter(flags, now);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as Error).message).toMatch(message);
  });
});

describe('CLI settings and key', () => {
  const files = (content?: string) => ({ exists: () => content !== undefined, read: () => content ?? '' });

  it('when nothing is set, then the services are on 127.0.0.1:8080/8081/8082; a URL setting loses its trailing slash and a wrong one is a usage error', () => {
    const s = loadCliSettings({});
    expect([s.intakeUrl, s.directoryUrl, s.operatorUrl]).toEqual(['http://127.0.0.1:8080', 'http://127.0.0.1:8081', 'http://127.0.0.1:8082']);
    expect(loadCliSettings({ GATEWAY_OPERATOR_URL: 'http://operator:8082/' }).operatorUrl).toBe('http://operator:8082');
    expect(() => loadCliSettings({ GATEWAY_INTAKE_URL: 'intake:8080' })).toThrow(UsageError);
    // `npm start` writes its development key beside the keys file.
    expect(loadCliSettings({ GATEWAY_KEYS_FILE: '/srv/gateway/keys.json' }).devKeyFile).toBe('/srv/gateway/dev-key.txt');
    expect(s.devKeyFile).toMatch(/\/\.gateway\/dev-key\.txt$/);
  });

  it('when --key, GATEWAY_KEY and the dev key file all exist, then --key wins, then GATEWAY_KEY, then the file; with none it says how to get one', () => {
    const withEnv = loadCliSettings({ GATEWAY_KEY: 'gw_env' });
    const bare = loadCliSettings({});
    expect(resolveKey('gw_flag', withEnv, files('gw_file\n'))).toBe('gw_flag');
    expect(resolveKey(undefined, withEnv, files('gw_file\n'))).toBe('gw_env');
    expect(resolveKey(undefined, bare, files('gw_file\n'))).toBe('gw_file');
    expect(() => resolveKey(undefined, bare, files())).toThrow(CliError);
    expect(() => resolveKey(undefined, bare, files())).toThrow(/npm start/);
  });
});
