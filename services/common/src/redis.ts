import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from './log';
import { parseRedisTarget } from './redis-target';

export { parseRedisTarget, type RedisTarget } from './redis-target';

/**
 * Every service's ioredis client for REDIS_URL (a server or a Sentinel-managed master): a 2 s
 * connect timeout, auto-pipelining (concurrent commands share one socket write; on this kind of VM
 * a write costs more than the command), connection errors logged at debug (ioredis reconnects by
 * itself; readiness reports the outage), and the caller's options over those.
 */
export function createRedisClient(url: string, logger: Logger, options: RedisOptions = {}): Redis {
  const target = parseRedisTarget(url);
  const settings: RedisOptions = { connectTimeout: 2000, enableAutoPipelining: true, ...options };
  let redis: Redis;
  if (target.kind === 'server') redis = new Redis(url, settings);
  else {
    const { sentinels, name, username, password, db } = target;
    redis = new Redis({ ...settings, sentinels, name, db, ...(username ? { username } : {}), ...(password ? { password } : {}) });
  }
  redis.on('error', (err: Error) => logger.debug({ err: err.message }, 'redis connection error'));
  return redis;
}
