import type { ChannelMessage, DeliveryState, DeliveryStatus, Topics } from '@gateway/contracts';
import type { OutgoingRecord } from '@gateway/bus';
import type { ProviderError } from './ports';

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export interface StatusExtra {
  attempt?: number;
  provider?: string;
  providerMessageId?: string;
  reason?: string;
  error?: ProviderError;
  nextAttemptAt?: string;
  at?: string;
}

export function deliveryStatus(message: ChannelMessage, status: DeliveryState, extra: StatusExtra = {}): DeliveryStatus {
  const out: DeliveryStatus = { messageId: message.id, eventId: message.eventId, channel: message.channel, status, at: extra.at ?? new Date().toISOString() };
  if (extra.attempt !== undefined) out.attempt = extra.attempt;
  if (extra.provider) out.provider = cut(extra.provider, 64);
  if (extra.providerMessageId) out.providerMessageId = cut(extra.providerMessageId, 256);
  if (extra.reason) out.reason = cut(extra.reason, 1000);
  if (extra.error) {
    out.error = { class: extra.error.errorClass, message: cut(extra.error.message, 2000) };
    if (extra.error.details.code) out.error.code = cut(extra.error.details.code, 128);
  }
  if (extra.nextAttemptAt) out.nextAttemptAt = extra.nextAttemptAt;
  return out;
}

/** Status records are keyed by message id, so one message's history stays in order on one partition. */
export function statusRecord(topics: Topics, status: DeliveryStatus, correlationId: string): OutgoingRecord {
  return {
    topic: topics.status,
    key: status.messageId,
    value: JSON.stringify(status),
    headers: { 'event-id': status.eventId, 'correlation-id': correlationId, 'message-status': status.status, 'message-id': status.messageId },
  };
}
