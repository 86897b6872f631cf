/**
 * Where a service's Redis is, from REDIS_URL:
 * - `redis://[[user:]password@]host[:port][/db]` (or `rediss://` for TLS): one server;
 * - `redis-sentinel://[[user:]password@]host[:port][,host[:port]…][/db]#master`: the master that
 *   the listed Sentinels (port 26379 unless given) name `master`, followed through failovers.
 *   The form Lettuce and Spring use. The password is the master's; the Sentinels are asked
 *   without one.
 */
export type RedisTarget =
  | { kind: 'server'; url: string }
  | { kind: 'sentinel'; sentinels: Array<{ host: string; port: number }>; name: string; username?: string; password?: string; db: number };

const SENTINEL_SCHEME = 'redis-sentinel://';

/** Parses REDIS_URL; throws an Error whose message says what is wrong with it. */
export function parseRedisTarget(url: string): RedisTarget {
  if (/^rediss?:\/\//.test(url)) return { kind: 'server', url };
  if (!url.startsWith(SENTINEL_SCHEME)) throw new Error('must start with redis://, rediss:// or redis-sentinel://');
  // The master name follows the last "#" and the hosts the last "@": a password may hold either.
  const hashAt = url.lastIndexOf('#');
  const name = hashAt < 0 ? '' : decodeURIComponent(url.slice(hashAt + 1));
  if (!name) throw new Error('redis-sentinel:// needs the master name after "#", e.g. redis-sentinel://10.0.0.5:26379,10.0.0.6:26379#gateway');
  let rest = url.slice(SENTINEL_SCHEME.length, hashAt);
  let username: string | undefined;
  let password: string | undefined;
  const atAt = rest.lastIndexOf('@');
  if (atAt >= 0) {
    const auth = rest.slice(0, atAt);
    rest = rest.slice(atAt + 1);
    const colon = auth.indexOf(':');
    if (colon < 0) password = decodeURIComponent(auth);
    else {
      username = decodeURIComponent(auth.slice(0, colon)) || undefined;
      password = decodeURIComponent(auth.slice(colon + 1));
    }
  }
  const slash = rest.indexOf('/');
  const hostList = slash < 0 ? rest : rest.slice(0, slash);
  const dbText = slash < 0 ? '' : rest.slice(slash + 1);
  if (dbText !== '' && !/^\d{1,5}$/.test(dbText)) throw new Error(`the database after "/" must be a number (got "${dbText}")`);
  const sentinels = hostList.split(',').map((entry) => {
    const m = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d+))?$/.exec(entry.trim());
    const port = Number(m?.[2] ?? 26379);
    if (!m || port < 1 || port > 65535) throw new Error(`"${entry}" is not a Sentinel address (host or host:port)`);
    return { host: (m[1] as string).replace(/^\[|\]$/g, ''), port };
  });
  return { kind: 'sentinel', sentinels, name, ...(username ? { username } : {}), ...(password ? { password } : {}), db: dbText === '' ? 0 : Number(dbText) };
}
