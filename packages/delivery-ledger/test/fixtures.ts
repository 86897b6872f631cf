import { channelMessageSchema, type ChannelMessage } from '@gateway/contracts';
import { smsMessage as smsMessageInput } from '@gateway/tests/support/messages';

/** A parsed SMS message: `<prefix>-sms-<n>`, one phone per `n`. */
export function smsMessage(prefix: string, n: number): ChannelMessage {
  return channelMessageSchema.parse(smsMessageInput(prefix, n));
}
