import type { ChannelMessageInput, SmsMessage } from '@gateway/contracts';

/** Channel messages for tests across packages and services. */

/** A valid SMS message; `n` makes the id, the recipient and the phone distinct. */
export function smsMessage(prefix: string, n: number, overrides: Partial<SmsMessage> = {}): ChannelMessageInput {
  const phone = `+8490${String(n % 10_000_000).padStart(7, '0')}`;
  return {
    id: `${prefix}-sms-${n}`,
    eventId: `${prefix}-event`,
    eventType: 'meeting.scheduled',
    correlationId: `${prefix}-corr`,
    createdAt: '2025-09-26T08:00:00+07:00',
    urgency: 'thuong',
    recipient: { id: `${prefix}-person-${n}`, name: 'Nguyễn Văn An', phone },
    channel: 'sms',
    text: 'Kính mời đồng chí dự Hội nghị BCH Đảng bộ thành phố lúc 08 giờ 00, Thứ Hai, ngày 29/9/2025.',
    encoding: 'UCS-2',
    segments: 2,
    diacritics: 'keep',
    attempt: 1,
    ...overrides,
  } as ChannelMessageInput;
}
