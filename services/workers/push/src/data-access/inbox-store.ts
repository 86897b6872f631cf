import type { Redis } from 'ioredis';
import type { EventType, Secrecy, Urgency } from '@gateway/contracts';
import type { Logger } from '@gateway/common';

/** What the sender stores for one in-app notification. */
export interface NewInboxItem {
  messageId: string;
  eventId: string;
  eventType: EventType;
  title: string;
  body: string;
  url?: string;
  urgency: Urgency;
  secrecy?: Secrecy;
  /** When the notification was created upstream (ISO 8601). */
  createdAt: string;
}

/** A stored item; `id` is its Redis stream id, ordered, and the SSE event id. */
export interface InboxEntry extends NewInboxItem {
  id: string;
}

export interface InboxListItem extends InboxEntry {
  read: boolean;
}

export interface InboxPage {
  items: InboxListItem[];
  /** Pass as `cursor` for the next (older) page; absent on the last page. */
  nextCursor?: string;
  unread: number;
}

/** Told about a user's inbox as it changes, on whichever replica the change was made. */
export interface InboxListener {
  item(entry: InboxEntry): void;
  /** Items another tab or device marked read. */
  read?(ids: string[]): void;
  /** The live feed may have missed announcements (Redis reconnected): read what is stored. */
  resync(): void;
}

export interface InboxStore {
  /** Stores first, then announces. The same message id twice gives the first item back. */
  add(userId: string, item: NewInboxItem): Promise<{ id: string; created: boolean }>;
  /** Newest first, `limit` items older than `cursor`. */
  list(userId: string, page: { cursor?: string; limit: number }): Promise<InboxPage>;
  /** Oldest first, up to `limit` items after `afterId`. */
  after(userId: string, afterId: string, limit: number): Promise<InboxEntry[]>;
  /** Id of the newest item, if any. */
  latestId(userId: string): Promise<string | undefined>;
  unreadCount(userId: string): Promise<number>;
  /** `changed` is true only for the call that turned the item from unread to read. */
  markRead(userId: string, itemId: string): Promise<{ found: false } | { found: true; changed: boolean; messageId: string; eventId: string }>;
  /** Marks every unread item read; returns those it changed. */
  markAllRead(userId: string): Promise<Array<{ id: string; messageId: string; eventId: string }>>;
  /** Undoes a read whose status could not be recorded, so the next read records it. */
  markUnread(userId: string, itemIds: string[]): Promise<void>;
  /** Resolves once the subscription is active: anything stored after that is announced to it. */
  subscribe(userId: string, listener: InboxListener): Promise<() => void>;
  close(): Promise<void>;
}

export interface RedisInboxStoreOptions {
  prefix: string;
  /** Items kept per user; older ones are dropped with their read state. */
  maxItemsPerUser: number;
  /** A user's inbox expires this long after its last new item. */
  retentionSeconds: number;
  logger?: Logger;
}

const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

export function isInboxItemId(value: unknown): value is string {
  return typeof value === 'string' && STREAM_ID.test(value);
}

/** Stream ids compare as (milliseconds, sequence); as strings "9-0" would sort after "10-0". */
export function compareItemIds(a: string, b: string): number {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  const ms = BigInt(am) - BigInt(bm);
  if (ms !== 0n) return ms < 0n ? -1 : 1;
  const seq = BigInt(as) - BigInt(bs);
  return seq === 0n ? 0 : seq < 0n ? -1 : 1;
}

// KEYS: stream, message id -> item id hash, unread set. ARGV: message id, item JSON, max items,
// retention seconds, channel. Dedupe, store, trim and announce in one atomic step: a subscriber
// that hears the announcement can already read the item, and a redelivered message is a no-op.
const ADD = `
local existing = redis.call('HGET', KEYS[2], ARGV[1])
if existing then return {existing, 0} end
local id = redis.call('XADD', KEYS[1], '*', 'm', ARGV[1], 'item', ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], id)
redis.call('SADD', KEYS[3], id)
local excess = redis.call('XLEN', KEYS[1]) - tonumber(ARGV[3])
if excess > 0 then
  local old = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', excess)
  for _, entry in ipairs(old) do
    redis.call('XDEL', KEYS[1], entry[1])
    redis.call('SREM', KEYS[3], entry[1])
    redis.call('HDEL', KEYS[2], entry[2][2])
  end
end
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ARGV[4]) end
redis.call('PUBLISH', ARGV[5], '{"type":"item","id":"' .. id .. '","item":' .. ARGV[2] .. '}')
return {id, 1}
`;

// KEYS: stream, unread set. ARGV: max id ('+' or '(' .. cursor), count.
const LIST = `
local entries = redis.call('XREVRANGE', KEYS[1], ARGV[1], '-', 'COUNT', ARGV[2])
local flags = {}
for i, entry in ipairs(entries) do flags[i] = redis.call('SISMEMBER', KEYS[2], entry[1]) end
return {entries, flags, redis.call('SCARD', KEYS[2])}
`;

// KEYS: stream, unread set. ARGV: item id, channel.
const MARK_READ = `
local entry = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
if #entry == 0 then return {0, 0, ''} end
local changed = redis.call('SREM', KEYS[2], ARGV[1])
if changed == 1 then redis.call('PUBLISH', ARGV[2], '{"type":"read","ids":["' .. ARGV[1] .. '"]}') end
return {1, changed, entry[1][2][2], entry[1][2][4]}
`;

// KEYS: stream, unread set. ARGV: channel. Returns id, message id pairs.
const MARK_ALL_READ = `
local ids = redis.call('SMEMBERS', KEYS[2])
local out = {}
local quoted = {}
for _, id in ipairs(ids) do
  local entry = redis.call('XRANGE', KEYS[1], id, id)
  if #entry > 0 then
    table.insert(out, id)
    table.insert(out, entry[1][2][2])
    table.insert(out, entry[1][2][4])
    table.insert(quoted, '"' .. id .. '"')
  end
end
redis.call('DEL', KEYS[2])
if #quoted > 0 then redis.call('PUBLISH', ARGV[1], '{"type":"read","ids":[' .. table.concat(quoted, ',') .. ']}') end
return out
`;

type RawEntry = [id: string, fields: string[]];

interface Scripted {
  gwInboxAdd(stream: string, ids: string, unread: string, messageId: string, json: string, max: number, ttl: number, channel: string): Promise<[string, number]>;
  gwInboxList(stream: string, unread: string, end: string, count: number): Promise<[RawEntry[], number[], number]>;
  gwInboxMarkRead(stream: string, unread: string, itemId: string, channel: string): Promise<[number, number, string, string]>;
  gwInboxMarkAllRead(stream: string, unread: string, channel: string): Promise<string[]>;
}

/** The event an item came from, for the `read` status; stored items always carry it. */
function eventIdOf(json: string | undefined): string {
  try {
    const id = (JSON.parse(json ?? '{}') as { eventId?: unknown }).eventId;
    return typeof id === 'string' ? id : 'unknown';
  } catch {
    return 'unknown';
  }
}

function entryOf([id, fields]: RawEntry): InboxEntry | undefined {
  const at = fields.indexOf('item');
  const json = at >= 0 ? fields[at + 1] : undefined;
  if (json === undefined) return undefined;
  try {
    return { id, ...(JSON.parse(json) as NewInboxItem) };
  } catch {
    return undefined;
  }
}

type Announcement = { type: 'item'; id: string; item: NewInboxItem } | { type: 'read'; ids: string[] };

/**
 * Per user: a Redis stream of items (`XADD` ids are ordered, so they serve as SSE event ids and
 * as the Last-Event-ID to resume from), a hash message id -> item id (idempotent adds), and a set
 * of unread item ids. Changes are announced on a per-user pub/sub channel; one subscriber
 * connection per process carries the channels of every user with an open stream.
 */
export function createRedisInboxStore(redis: Redis, options: RedisInboxStoreOptions): InboxStore {
  if (!Number.isInteger(options.maxItemsPerUser) || options.maxItemsPerUser < 1) throw new Error('createRedisInboxStore: maxItemsPerUser must be a positive integer');
  if (!Number.isInteger(options.retentionSeconds) || options.retentionSeconds < 1) throw new Error('createRedisInboxStore: retentionSeconds must be a positive integer');
  const logger = options.logger?.child({ component: 'inbox-store' });
  redis.defineCommand('gwInboxAdd', { numberOfKeys: 3, lua: ADD });
  redis.defineCommand('gwInboxList', { numberOfKeys: 2, lua: LIST });
  redis.defineCommand('gwInboxMarkRead', { numberOfKeys: 2, lua: MARK_READ });
  redis.defineCommand('gwInboxMarkAllRead', { numberOfKeys: 2, lua: MARK_ALL_READ });
  const r = redis as Redis & Scripted;

  // The hash tag keeps one user's keys in one slot, as the scripts need under Redis Cluster.
  const base = (userId: string) => `${options.prefix}inbox:{${userId}}`;
  const keys = (userId: string) => ({ stream: `${base(userId)}:items`, ids: `${base(userId)}:ids`, unread: `${base(userId)}:unread`, channel: `${base(userId)}:live` });

  const listeners = new Map<string, Set<InboxListener>>();
  let subscriber: Redis | undefined;
  let closing: Promise<void> | undefined;

  function dispatch(channel: string, payload: string): void {
    const set = listeners.get(channel);
    if (!set || set.size === 0) return;
    let announcement: Announcement;
    try {
      announcement = JSON.parse(payload) as Announcement;
    } catch {
      logger?.warn({ channel }, 'unreadable inbox announcement');
      return;
    }
    for (const listener of [...set]) {
      try {
        if (announcement.type === 'item') listener.item({ id: announcement.id, ...announcement.item });
        else listener.read?.(announcement.ids);
      } catch (err) {
        logger?.warn({ err: err instanceof Error ? err.message : String(err) }, 'inbox listener failed');
      }
    }
  }

  function subscriberConnection(): Redis {
    if (subscriber) return subscriber;
    const sub = redis.duplicate();
    let connectedBefore = false;
    sub.on('message', dispatch);
    sub.on('error', (err: Error) => logger?.warn({ err: err.message }, 'inbox subscriber connection error'));
    sub.on('ready', () => {
      if (!connectedBefore) {
        connectedBefore = true;
        return;
      }
      // ioredis re-subscribes on reconnect; the PING reply comes after those confirmations, and
      // whatever was announced while disconnected is only in the streams.
      sub
        .ping()
        .then(() => {
          for (const set of listeners.values()) for (const listener of set) listener.resync();
        })
        .catch((err: Error) => logger?.warn({ err: err.message }, 'inbox subscriber resync failed'));
    });
    subscriber = sub;
    return sub;
  }

  return {
    async add(userId, item) {
      const k = keys(userId);
      const [id, created] = await r.gwInboxAdd(k.stream, k.ids, k.unread, item.messageId, JSON.stringify(item), options.maxItemsPerUser, options.retentionSeconds, k.channel);
      return { id, created: created === 1 };
    },

    async list(userId, page) {
      const k = keys(userId);
      const end = page.cursor ? `(${page.cursor}` : '+';
      const [entries, flags, unread] = await r.gwInboxList(k.stream, k.unread, end, page.limit + 1);
      const items: InboxListItem[] = [];
      entries.slice(0, page.limit).forEach((raw, i) => {
        const entry = entryOf(raw);
        if (entry) items.push({ ...entry, read: flags[i] !== 1 });
      });
      const last = entries[page.limit - 1];
      return { items, unread, ...(entries.length > page.limit && last ? { nextCursor: last[0] } : {}) };
    },

    async after(userId, afterId, limit) {
      if (!isInboxItemId(afterId)) throw new Error('after: not an inbox item id');
      const raw = (await redis.xrange(keys(userId).stream, `(${afterId}`, '+', 'COUNT', limit)) as RawEntry[];
      return raw.map(entryOf).filter((e): e is InboxEntry => e !== undefined);
    },

    async latestId(userId) {
      const raw = (await redis.xrevrange(keys(userId).stream, '+', '-', 'COUNT', 1)) as RawEntry[];
      return raw[0]?.[0];
    },

    async unreadCount(userId) {
      return redis.scard(keys(userId).unread);
    },

    async markRead(userId, itemId) {
      if (!isInboxItemId(itemId)) return { found: false };
      const k = keys(userId);
      const [found, changed, messageId, json] = await r.gwInboxMarkRead(k.stream, k.unread, itemId, k.channel);
      return found === 1 ? { found: true, changed: changed === 1, messageId, eventId: eventIdOf(json) } : { found: false };
    },

    async markAllRead(userId) {
      const k = keys(userId);
      const flat = await r.gwInboxMarkAllRead(k.stream, k.unread, k.channel);
      const out: Array<{ id: string; messageId: string; eventId: string }> = [];
      for (let i = 0; i + 2 < flat.length; i += 3) out.push({ id: flat[i] as string, messageId: flat[i + 1] as string, eventId: eventIdOf(flat[i + 2]) });
      return out.sort((a, b) => compareItemIds(a.id, b.id));
    },

    async markUnread(userId, itemIds) {
      const valid = itemIds.filter(isInboxItemId);
      if (valid.length > 0) await redis.sadd(keys(userId).unread, ...valid);
    },

    async subscribe(userId, listener) {
      if (closing) throw new Error('inbox store is closed');
      const channel = keys(userId).channel;
      const sub = subscriberConnection();
      let set = listeners.get(channel);
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
      }
      set.add(listener);
      const own = set;
      try {
        // Sent even when the channel is already subscribed: commands on one connection are
        // answered in order, so this reply means the channel is live for this listener too.
        await sub.subscribe(channel);
      } catch (err) {
        own.delete(listener);
        throw err;
      }
      let done = false;
      return () => {
        if (done) return;
        done = true;
        own.delete(listener);
        if (own.size === 0 && listeners.get(channel) === own) {
          listeners.delete(channel);
          // A later subscribe to this channel is sent after this on the same connection, so
          // the final state is right without waiting here.
          sub.unsubscribe(channel).catch((err: Error) => logger?.debug({ err: err.message }, 'inbox unsubscribe failed'));
        }
      };
    },

    close(): Promise<void> {
      closing ??= (async () => {
        listeners.clear();
        if (subscriber) await subscriber.quit().catch(() => subscriber?.disconnect());
      })();
      return closing;
    },
  };
}
