import { z } from 'zod';
import { parseRedisTarget } from '../src/redis';
import { maskUrlPassword, parseSettings, setting } from '../src/config';

describe('REDIS_URL', () => {
  it('when it names one server, then it is used as it is', () => {
    expect(parseRedisTarget('redis://127.0.0.1:6379')).toEqual({ kind: 'server', url: 'redis://127.0.0.1:6379' });
    expect(parseRedisTarget('rediss://:mat-khau@redis.tu.vn:6380/2')).toEqual({ kind: 'server', url: 'rediss://:mat-khau@redis.tu.vn:6380/2' });
  });

  it('when it names Sentinels, then their addresses (26379 by default), the master, the credentials and the database are read', () => {
    expect(parseRedisTarget('redis-sentinel://10.0.0.5:26379,10.0.0.6,[fd00::7]:26380#gateway')).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: '10.0.0.5', port: 26379 },
        { host: '10.0.0.6', port: 26379 },
        { host: 'fd00::7', port: 26380 },
      ],
      name: 'gateway',
      db: 0,
    });
    expect(parseRedisTarget('redis-sentinel://gw:m%40t-kh%E1%BA%A9u@s1:26379,s2:26379/3#cong-thong-bao')).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
      ],
      name: 'cong-thong-bao',
      username: 'gw',
      password: 'm@t-khẩu',
      db: 3,
    });
    expect(parseRedisTarget('redis-sentinel://:secret@s1#m')).toMatchObject({ password: 'secret', name: 'm' });
    // A password may hold "@", "#", "/" or ":" unescaped: the hosts follow the last "@", the master the last "#".
    expect(parseRedisTarget('redis-sentinel://:p@s#s/w:x@s1:26379#m')).toMatchObject({ password: 'p@s#s/w:x', sentinels: [{ host: 's1', port: 26379 }], name: 'm' });
  });

  it('when it is wrong, then the setting is refused with what is wrong', () => {
    const schema = z.object({ REDIS_URL: setting.redisUrl() });
    const refused = (url: string) => {
      try {
        parseSettings('test', schema, { REDIS_URL: url });
        return undefined;
      } catch (err) {
        return (err as Error).message;
      }
    };
    expect(refused('redis://127.0.0.1:6379')).toBeUndefined();
    expect(refused('http://127.0.0.1:6379')).toMatch(/REDIS_URL: must start with redis:\/\/, rediss:\/\/ or redis-sentinel:\/\//);
    expect(refused('redis-sentinel://s1:26379,s2:26379')).toMatch(/REDIS_URL: redis-sentinel:\/\/ needs the master name after "#"/);
    expect(refused('redis-sentinel://s1:99999#m')).toMatch(/REDIS_URL: "s1:99999" is not a Sentinel address/);
    expect(refused('redis-sentinel://s1/abc#m')).toMatch(/REDIS_URL: the database after "\/" must be a number/);
    // The value is shown to say what was read, but never a password in it, whatever it holds.
    const shown = refused('redis-sentinel://gw:mat-khau@s1:26379');
    expect(shown).toContain('redis-sentinel://gw:***@s1:26379');
    expect(shown).not.toContain('mat-khau');
    for (const [url, secret] of [
      ['redis-sentinel://s3cr3t@s1:26379', 's3cr3t'],
      ['redis-sentinel://:pa/ss@s1:26379', 'pa/ss'],
      ['redis-sentinel://:p@ss-word@s1:26379', 'ss-word'],
      ['redis-sentinel://:p#ss@s1:99999#m', 'p#ss'],
      ['ftp://:bi-mat@host', 'bi-mat'],
    ] as const) {
      const message = refused(url) ?? '';
      expect([url, message.includes(secret), message.includes('***@')]).toEqual([url, false, true]);
    }
  });
});

describe('maskUrlPassword', () => {
  it('when a URL carries a password, then only the user name is kept; other text is left alone', () => {
    expect(maskUrlPassword('redis://:secret@127.0.0.1:6379/2')).toBe('redis://:***@127.0.0.1:6379/2');
    expect(maskUrlPassword('rediss://gw:a@b@redis.tu.vn:6380')).toBe('rediss://gw:***@redis.tu.vn:6380');
    expect(maskUrlPassword('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(maskUrlPassword('thongbao@danang.gov.vn')).toBe('thongbao@danang.gov.vn');
  });
});
