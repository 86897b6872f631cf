import type { Redis } from 'ioredis';

/** A browser's W3C PushSubscription as the gateway keeps it. */
export interface StoredSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  /** Epoch ms after which the browser said the subscription stops working, or null. */
  expirationTime: number | null;
  createdAt: string;
}

/** Port: push subscriptions of each user, one per browser (endpoint). */
export interface SubscriptionStore {
  /** Adds or replaces the subscription with this endpoint; `created` is false for a replacement. */
  save(userId: string, subscription: StoredSubscription): Promise<{ created: boolean; evicted: number }>;
  /** True when there was such a subscription. */
  remove(userId: string, endpoint: string): Promise<boolean>;
  list(userId: string): Promise<StoredSubscription[]>;
}

// Save and bound the number of browsers per user in one step: a user who reinstalls browsers
// for years must not make every push fan out to dozens of dead endpoints. The oldest go first.
const SAVE = `
local created = redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local max = tonumber(ARGV[3])
local evicted = 0
while redis.call('HLEN', KEYS[1]) > max do
  local all = redis.call('HGETALL', KEYS[1])
  local oldestField, oldestAt = nil, nil
  for i = 1, #all, 2 do
    local ok, rec = pcall(cjson.decode, all[i + 1])
    local at = (ok and type(rec) == 'table' and rec.createdAt) or ''
    if all[i] ~= ARGV[1] and (oldestAt == nil or at < oldestAt) then
      oldestField, oldestAt = all[i], at
    end
  end
  if oldestField == nil then break end
  redis.call('HDEL', KEYS[1], oldestField)
  evicted = evicted + 1
end
return {created, evicted}
`;

export interface RedisSubscriptionStoreOptions {
  /** Key prefix shared by the service, e.g. "gw:". */
  prefix: string;
  /** Browsers kept per user; registering one more drops the oldest. */
  maxPerUser: number;
}

function parseRecord(json: string): StoredSubscription | undefined {
  try {
    const value = JSON.parse(json) as Partial<StoredSubscription>;
    if (typeof value.endpoint !== 'string' || typeof value.keys?.p256dh !== 'string' || typeof value.keys.auth !== 'string') return undefined;
    return {
      endpoint: value.endpoint,
      keys: { p256dh: value.keys.p256dh, auth: value.keys.auth },
      expirationTime: typeof value.expirationTime === 'number' ? value.expirationTime : null,
      createdAt: typeof value.createdAt === 'string' ? value.createdAt : '',
    };
  } catch {
    return undefined;
  }
}

/** Per user, one Redis hash: endpoint -> subscription JSON. */
export function createRedisSubscriptionStore(redis: Redis, options: RedisSubscriptionStoreOptions): SubscriptionStore {
  if (!Number.isInteger(options.maxPerUser) || options.maxPerUser < 1) throw new Error('createRedisSubscriptionStore: maxPerUser must be a positive integer');
  // The hash tag keeps a user's keys in one slot should the deployment move to Redis Cluster.
  const keyOf = (userId: string) => `${options.prefix}push:subs:{${userId}}`;
  redis.defineCommand('gwPushSubSave', { numberOfKeys: 1, lua: SAVE });
  const scripted = redis as Redis & { gwPushSubSave(key: string, endpoint: string, json: string, max: number): Promise<[number, number]> };
  return {
    async save(userId, subscription) {
      const [created, evicted] = await scripted.gwPushSubSave(keyOf(userId), subscription.endpoint, JSON.stringify(subscription), options.maxPerUser);
      return { created: created === 1, evicted };
    },
    async remove(userId, endpoint) {
      return (await redis.hdel(keyOf(userId), endpoint)) === 1;
    },
    async list(userId) {
      const all = await redis.hvals(keyOf(userId));
      return all.map(parseRecord).filter((s): s is StoredSubscription => s !== undefined);
    },
  };
}
