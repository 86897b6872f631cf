import type { InappMessage } from '@gateway/contracts';
import { ProviderError, type ChannelSender, type SendResult } from '@gateway/worker-core';
import type { InboxStore, NewInboxItem } from '../data-access/inbox-store';

const INBOX_PROVIDER = 'inbox';

function inboxItemOf(message: InappMessage): NewInboxItem {
  return {
    messageId: message.id,
    eventId: message.eventId,
    eventType: message.eventType,
    title: message.title,
    body: message.body,
    ...(message.url ? { url: message.url } : {}),
    urgency: message.urgency,
    ...(message.secrecy ? { secrecy: message.secrecy } : {}),
    createdAt: message.createdAt,
  };
}

/**
 * Delivers an in-app message by storing it in the user's inbox (which announces it to open
 * streams). Idempotent by message id: a redelivered message gets the first item's id back.
 */
export function createInboxSender(store: InboxStore): ChannelSender<InappMessage> {
  if (!store) throw new TypeError('createInboxSender: store is required');
  return {
    name: INBOX_PROVIDER,
    async send(message: InappMessage): Promise<SendResult> {
      const userId = message.recipient.userId;
      if (!userId) {
        throw new ProviderError('recipient has no user id, so there is no inbox to put the item in', 'permanent', { provider: INBOX_PROVIDER, code: 'no-user-id' });
      }
      try {
        const { id } = await store.add(userId, inboxItemOf(message));
        return { provider: INBOX_PROVIDER, providerMessageId: id };
      } catch (err) {
        const answer = err instanceof Error ? err.message.slice(0, 300) : String(err).slice(0, 300);
        throw new ProviderError('inbox store unavailable', 'transient', { provider: INBOX_PROVIDER, code: 'store-unavailable', answer });
      }
    },
  };
}
