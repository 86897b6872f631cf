import type { StoredSubscription, SubscriptionStore } from './subscription-store';

/** Push subscriptions in this process's memory (embedded mode), with the Redis store's rules: one per endpoint, the oldest evicted past the cap. */
export function createMemorySubscriptionStore(options: { maxPerUser: number }): SubscriptionStore {
  const users = new Map<string, Map<string, StoredSubscription>>();
  return {
    async save(userId, subscription) {
      const subs = users.get(userId) ?? new Map<string, StoredSubscription>();
      users.set(userId, subs);
      const created = !subs.has(subscription.endpoint);
      subs.set(subscription.endpoint, structuredClone(subscription));
      let evicted = 0;
      while (subs.size > options.maxPerUser) {
        const oldest = [...subs.values()].filter((s) => s.endpoint !== subscription.endpoint).sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0];
        if (!oldest) break;
        subs.delete(oldest.endpoint);
        evicted += 1;
      }
      return { created, evicted };
    },
    async remove(userId, endpoint) {
      return users.get(userId)?.delete(endpoint) ?? false;
    },
    async list(userId) {
      return [...(users.get(userId)?.values() ?? [])].map((sub) => structuredClone(sub));
    },
  };
}
