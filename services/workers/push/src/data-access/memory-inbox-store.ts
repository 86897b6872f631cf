import type { InboxEntry, InboxListItem, InboxListener, InboxStore, NewInboxItem } from './inbox-store';
import { compareItemIds, isInboxItemId } from './inbox-store';

interface UserInbox {
  /** Oldest first. */
  entries: InboxEntry[];
  byMessage: Map<string, string>;
  unread: Set<string>;
  listeners: Set<InboxListener>;
}

/**
 * The inbox in this process's memory (embedded mode), with the Redis store's rules: stored first,
 * then announced; one item per message id; ids ordered like stream ids ("ms-seq"); at most
 * `maxItemsPerUser` kept.
 */
export function createMemoryInboxStore(options: { maxItemsPerUser: number }): InboxStore {
  const users = new Map<string, UserInbox>();
  let lastMs = 0;
  let seq = 0;
  const inbox = (userId: string): UserInbox => {
    let u = users.get(userId);
    if (!u) {
      u = { entries: [], byMessage: new Map(), unread: new Set(), listeners: new Set() };
      users.set(userId, u);
    }
    return u;
  };
  const EMPTY: UserInbox = { entries: [], byMessage: new Map(), unread: new Set(), listeners: new Set() };
  /** For reads: asking about a user who has nothing does not make an inbox for them. */
  const existing = (userId: string): UserInbox => users.get(userId) ?? EMPTY;
  const nextId = () => {
    const ms = Date.now();
    if (ms > lastMs) {
      lastMs = ms;
      seq = 0;
    } else seq += 1;
    return `${lastMs}-${seq}`;
  };
  const announce = (u: UserInbox, call: (l: InboxListener) => void) => {
    for (const l of [...u.listeners]) {
      try {
        call(l);
      } catch {
        // a listener's failure is its own (the SSE stream ends and the client resumes)
      }
    }
  };
  return {
    async add(userId, item: NewInboxItem) {
      const u = inbox(userId);
      const existing = u.byMessage.get(item.messageId);
      if (existing) return { id: existing, created: false };
      const entry: InboxEntry = { ...item, id: nextId() };
      u.entries.push(entry);
      u.byMessage.set(item.messageId, entry.id);
      u.unread.add(entry.id);
      while (u.entries.length > options.maxItemsPerUser) {
        const old = u.entries.shift() as InboxEntry;
        u.byMessage.delete(old.messageId);
        u.unread.delete(old.id);
      }
      announce(u, (l) => l.item(entry));
      return { id: entry.id, created: true };
    },
    async list(userId, page) {
      const u = existing(userId);
      const older = u.entries.filter((e) => !page.cursor || compareItemIds(e.id, page.cursor) < 0).reverse();
      const items: InboxListItem[] = older.slice(0, page.limit).map((e) => ({ ...e, read: !u.unread.has(e.id) }));
      const last = items[items.length - 1];
      return { items, unread: u.unread.size, ...(older.length > page.limit && last ? { nextCursor: last.id } : {}) };
    },
    async after(userId, afterId, limit) {
      if (!isInboxItemId(afterId)) throw new Error('after: not an inbox item id');
      return existing(userId)
        .entries.filter((e) => compareItemIds(e.id, afterId) > 0)
        .slice(0, limit);
    },
    async latestId(userId) {
      return existing(userId).entries.at(-1)?.id;
    },
    async unreadCount(userId) {
      return existing(userId).unread.size;
    },
    async markRead(userId, itemId) {
      const u = existing(userId);
      const entry = u.entries.find((e) => e.id === itemId);
      if (!entry) return { found: false };
      const changed = u.unread.delete(itemId);
      if (changed) announce(u, (l) => l.read?.([itemId]));
      return { found: true, changed, messageId: entry.messageId, eventId: entry.eventId };
    },
    async markAllRead(userId) {
      const u = existing(userId);
      const changed = u.entries.filter((e) => u.unread.has(e.id));
      u.unread.clear();
      if (changed.length) announce(u, (l) => l.read?.(changed.map((e) => e.id)));
      return changed.map((e) => ({ id: e.id, messageId: e.messageId, eventId: e.eventId }));
    },
    async markUnread(userId, itemIds) {
      const u = existing(userId);
      for (const id of itemIds) if (u.entries.some((e) => e.id === id)) u.unread.add(id);
    },
    async subscribe(userId, listener) {
      const u = inbox(userId);
      u.listeners.add(listener);
      return () => u.listeners.delete(listener);
    },
    async close() {
      for (const u of users.values()) u.listeners.clear();
    },
  };
}
