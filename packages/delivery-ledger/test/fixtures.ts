import { channelMessageSchema, type ChannelMessage } from '@gateway/contracts';

/** An SMS message as the renderer makes it: `<prefix>-sms-<n>`, one phone per `n`. */
export function smsMessage(prefix: string, n: number): ChannelMessage {
  const phone = `+8490${String(n % 10_000_000).padStart(7, '0')}`;
  return channelMessageSchema.parse({
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
  });
}
