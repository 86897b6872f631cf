import type { DeliveryStatus } from '@gateway/contracts';
import { applyToRecord, emptyTotals, fingerprint, matchesFilter, wellFormedStatus, type NotificationFilter, type NotificationRecord } from '../domain/notification';
import { advanceHead, type ChainHead } from '../domain/resend-chain';
import type { NotificationStore } from './notification-store';

/** The in-process read model (embedded mode, tests): the same behaviour as the Redis adapter, without expiry. Ties sort by id, bytewise, as Redis does. */
export function createMemoryNotificationStore(): NotificationStore {
  const records = new Map<string, { record: NotificationRecord; history: DeliveryStatus[]; seen: Set<string> }>();
  const heads = new Map<string, ChainHead>();
  const superseded = new Set<string>();
  const matches = (r: NotificationRecord, filter: NotificationFilter) => !(filter.latestOnly && superseded.has(r.messageId)) && matchesFilter(r, filter);
  const ordered = (descending: boolean) =>
    [...records.values()].map((e) => e.record).sort((a, b) => (Date.parse(a.updatedAt) - Date.parse(b.updatedAt) || (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0)) * (descending ? -1 : 1));
  return {
    async apply(statuses) {
      for (const raw of statuses) {
        const s = wellFormedStatus(raw);
        const entry = records.get(s.messageId);
        const fp = fingerprint(s);
        if (entry?.seen.has(fp)) continue;
        if (s.resendOf && !entry?.record.resendOf) {
          const moved = advanceHead(heads.get(s.resendOf), s.resendOf, { messageId: s.messageId, atMs: Date.parse(s.at) });
          heads.set(s.resendOf, moved.head);
          superseded.add(moved.superseded);
        }
        const next = applyToRecord(entry?.record, s);
        const history = entry?.history ?? [];
        history.push(structuredClone(s));
        const seen = entry?.seen ?? new Set<string>();
        seen.add(fp);
        records.set(s.messageId, { record: next, history, seen });
      }
      return { rejected: [] };
    },
    async get(messageId) {
      const entry = records.get(messageId);
      if (!entry) return undefined;
      return structuredClone({ ...entry.record, history: [...entry.history].sort((x, y) => x.at.localeCompare(y.at)) });
    },
    async getMany(ids) {
      const out = new Map<string, NotificationRecord>();
      for (const id of ids) {
        const entry = records.get(id);
        if (entry) out.set(id, structuredClone(entry.record));
      }
      return out;
    },
    async search(query) {
      const matched = ordered(query.sort === '-updatedAt').filter((r) => matches(r, query));
      const totals = emptyTotals();
      for (const r of matched) {
        totals.byStatus[r.status] = (totals.byStatus[r.status] ?? 0) + 1;
        totals.byChannel[r.channel] = (totals.byChannel[r.channel] ?? 0) + 1;
      }
      const start = (query.page - 1) * query.pageSize;
      return { items: structuredClone(matched.slice(start, start + query.pageSize)), total: matched.length, totals };
    },
    async matchIds(filter, limit) {
      return ordered(false)
        .filter((r) => matches(r, filter))
        .slice(0, limit)
        .map((r) => r.messageId);
    },
  };
}
