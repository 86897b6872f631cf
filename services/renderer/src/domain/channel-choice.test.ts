import type { Channel, Urgency } from '@gateway/contracts';
import { chooseChannels, SKIP_REASONS, type ChannelContact } from './channel-choice';

describe('chooseChannels', () => {
  const full: ChannelContact = { phone: '+84905123456', email: 'a@danang.gov.vn', userId: 'u-1' };
  const phoneOnly: ChannelContact = { phone: '+84905123456' };
  const noPhone = SKIP_REASONS.sms;
  const noEmail = SKIP_REASONS.email;
  const noUser = SKIP_REASONS.push;

  const table: Array<[string, ChannelContact, Urgency, Channel[], Array<[Channel, string]>]> = [
    ['every contact, no preferences', full, 'thuong', ['sms', 'email', 'push', 'inapp'], []],
    ['preferences [email]', { ...full, channels: ['email'] }, 'thuong', ['email'], []],
    ['preferences [email] at khẩn', { ...full, channels: ['email'] }, 'khan', ['email'], []],
    ['preferences [email] at thượng khẩn', { ...full, channels: ['email'] }, 'thuong-khan', ['sms', 'email', 'push', 'inapp'], []],
    ['preferences [email] at hỏa tốc', { ...full, channels: ['email'] }, 'hoa-toc', ['sms', 'email', 'push', 'inapp'], []],
    ['phone only, no preferences', phoneOnly, 'thuong', ['sms'], [['email', noEmail], ['push', noUser], ['inapp', SKIP_REASONS.inapp]]],
    ['preferences [sms, push] without a phone', { userId: 'u-1', channels: ['sms', 'push'] }, 'thuong', ['push'], [['sms', noPhone]]],
    ['preferences [email] without an email', { ...phoneOnly, channels: ['email'] }, 'khan', [], [['email', noEmail]]],
    ['preferences [email], phone only, at hỏa tốc', { ...phoneOnly, channels: ['email'] }, 'hoa-toc', ['sms'], [['email', noEmail], ['push', noUser], ['inapp', noUser]]],
    ['no contact data at all', {}, 'hoa-toc', [], [['sms', noPhone], ['email', noEmail], ['push', noUser], ['inapp', noUser]]],
    ['preferences listed out of order', { ...full, channels: ['inapp', 'sms'] }, 'thuong', ['sms', 'inapp'], []],
  ];

  it.each(table.map(([label, contact, urgency, channels, skipped]) => ({ label, contact, urgency, channels, skipped })))(
    'when $label (urgency $urgency), then the channels are $channels',
    ({ contact, urgency, channels, skipped }) => {
      expect(chooseChannels(contact, urgency)).toEqual({ channels, skipped: skipped.map(([channel, reason]) => ({ channel, reason })) });
    },
  );

  it('when a phone is missing, then the skip reason says so in Vietnamese and English', () => {
    expect(chooseChannels({ channels: ['sms'] }, 'thuong').skipped).toEqual([{ channel: 'sms', reason: 'không có số điện thoại / no phone number' }]);
  });

  it('when channels are chosen for 10,000 people, then each gets the channels of their contact', () => {
    const people: ChannelContact[] = Array.from({ length: 10_000 }, (_, i) => (i % 3 === 0 ? full : i % 3 === 1 ? phoneOnly : { ...full, channels: ['email', 'inapp'] }));
    let sent = 0;
    for (const p of people) sent += chooseChannels(p, 'khan').channels.length;
    // 3,334 with every channel (4), 3,333 with a phone only (1), 3,333 choosing email and in-app (2).
    expect(sent).toBe(3_334 * 4 + 3_333 * 1 + 3_333 * 2);
  });
});
