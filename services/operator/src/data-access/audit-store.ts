import type { Redis } from 'ioredis';

/** One operator action, or an attempt that was refused. Append-only: there is no update or delete. */
export interface AuditEntry {
  id: string;
  at: string;
  /** The key's name; "(unknown key)" or "(no key)" for attempts that did not authenticate. */
  actor: string;
  /** e.g. notification.resend, resend-job.create, resend-job.cancel, audit.read. */
  action: string;
  outcome: 'ok' | 'denied' | 'refused';
  /** HTTP status of the answer. */
  status?: number;
  messageIds?: string[];
  jobId?: string;
  filter?: Record<string, unknown>;
  /** Before/after of corrected contacts, the new message id, the reason of a refusal, ... */
  details?: Record<string, unknown>;
}

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at'> & { at?: string };

export interface AuditQuery {
  actor?: string;
  action?: string;
  /** Epoch ms, inclusive. */
  from?: number;
  to?: number;
  page: number;
  pageSize: number;
}

/** Port: the audit log. Newest first when read. */
export interface AuditStore {
  append(entry: NewAuditEntry): Promise<AuditEntry>;
  query(query: AuditQuery): Promise<{ items: AuditEntry[]; total: number }>;
}

function matches(entry: AuditEntry, q: AuditQuery): boolean {
  return (q.actor === undefined || entry.actor === q.actor) && (q.action === undefined || entry.action === q.action);
}

/**
 * How many entries the audit keeps (the oldest go first): bounded, so a flood of refused requests
 * cannot fill Redis. A million entries is years of an agency's operator actions.
 */
const AUDIT_MAX_ENTRIES = 1_000_000;

/** A Redis stream: ids are time-ordered, so a time range is an XREVRANGE; actor and action are filtered while reading. */
export function createRedisAuditStore(redis: Redis, prefix: string): AuditStore {
  const key = `${prefix}audit`;
  return {
    async append(entry) {
      const at = entry.at ?? new Date().toISOString();
      const body = { ...entry, at };
      const id = await redis.xadd(key, 'MAXLEN', '~', AUDIT_MAX_ENTRIES, '*', 'entry', JSON.stringify(body));
      return { id: id ?? '', ...body };
    },
    async query(q) {
      const start = (q.page - 1) * q.pageSize;
      const parse = ([id, fields]: [string, string[]]): AuditEntry => ({ id, ...(JSON.parse(fields[1] ?? '{}') as Omit<AuditEntry, 'id'>) });
      // Nothing to filter: the stream's length is the total, and only the page is read.
      if (q.actor === undefined && q.action === undefined && q.from === undefined && q.to === undefined) {
        const [total, newest] = await Promise.all([redis.xlen(key), redis.xrevrange(key, '+', '-', 'COUNT', start + q.pageSize)]);
        return { items: newest.slice(start).map(parse), total };
      }
      const items: AuditEntry[] = [];
      let total = 0;
      let end = q.to !== undefined ? String(q.to) : '+';
      const lowest = q.from !== undefined ? String(q.from) : '-';
      for (;;) {
        const batch = await redis.xrevrange(key, end, lowest, 'COUNT', 1000);
        for (const [id, fields] of batch) {
          const entry = parse([id, fields]);
          if (!matches(entry, q)) continue;
          if (total >= start && items.length < q.pageSize) items.push(entry);
          total += 1;
        }
        const last = batch[batch.length - 1];
        if (batch.length < 1000 || !last) break;
        end = `(${last[0]}`;
      }
      return { items, total };
    },
  };
}

export function createMemoryAuditStore(options: { now?: () => number } = {}): AuditStore {
  const now = options.now ?? Date.now;
  const entries: AuditEntry[] = [];
  let sequence = 0;
  let lastMs = 0;
  return {
    async append(entry) {
      const ms = now();
      sequence = ms === lastMs ? sequence + 1 : 0;
      lastMs = ms;
      const stored: AuditEntry = { id: `${ms}-${sequence}`, ...entry, at: entry.at ?? new Date(ms).toISOString() };
      entries.push(structuredClone(stored));
      if (entries.length > AUDIT_MAX_ENTRIES) entries.splice(0, entries.length - AUDIT_MAX_ENTRIES);
      return stored;
    },
    async query(q) {
      const msOf = (e: AuditEntry) => Number(e.id.split('-')[0]);
      const found = entries.filter((e) => matches(e, q) && (q.from === undefined || msOf(e) >= q.from) && (q.to === undefined || msOf(e) <= q.to)).reverse();
      const start = (q.page - 1) * q.pageSize;
      return { items: structuredClone(found.slice(start, start + q.pageSize)), total: found.length };
    },
  };
}
