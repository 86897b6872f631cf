import type { OperatorStores } from '../data-access/stores';
import type { NotificationRecord } from '../domain/notification';
import { chainOf, resendState, type ResendState } from '../domain/resend-chain';

/**
 * What its chain's resends mean for each record (resendState), read for a whole page at once:
 * one read of the chains' latest resends and one of their states. Every route answers through
 * this, so the list, the detail, the overview and the report say the same thing.
 */
export async function loadResendStates(stores: Pick<OperatorStores, 'resends' | 'notifications'>, records: ReadonlyArray<Pick<NotificationRecord, 'messageId' | 'status' | 'resendOf'>>): Promise<Map<string, ResendState>> {
  const latest = await stores.resends.latestOf([...new Set(records.map(chainOf))]);
  const states = latest.size ? await stores.notifications.getMany([...latest.values()].map((r) => r.messageId)) : new Map<string, NotificationRecord>();
  return new Map(
    records.map((r) => {
      const resend = latest.get(chainOf(r));
      const status = resend ? states.get(resend.messageId)?.status : undefined;
      return [r.messageId, resendState(r, resend ? { messageId: resend.messageId, ...(status ? { status } : {}) } : undefined)];
    }),
  );
}
