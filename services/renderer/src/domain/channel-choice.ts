import { CHANNELS, type Channel, type Urgency } from '@gateway/contracts';
import type { ResolvedPerson } from '@gateway/directory';

export type ChannelContact = Pick<ResolvedPerson, 'phone' | 'email' | 'userId' | 'channels'>;

export interface ChannelChoice {
  channels: Channel[];
  skipped: Array<{ channel: Channel; reason: string }>;
}

export const SKIP_REASONS: Readonly<Record<Channel, string>> = {
  sms: 'không có số điện thoại / no phone number',
  email: 'không có email công vụ / no email address',
  push: 'không có tài khoản ứng dụng / no app user account',
  inapp: 'không có tài khoản ứng dụng / no app user account',
};

/** Độ khẩn at which a person's preferences give way: the message must reach them any way it can. */
const WIDENING_URGENCIES: ReadonlySet<Urgency> = new Set<Urgency>(['thuong-khan', 'hoa-toc']);

function reachable(person: ChannelContact, channel: Channel): boolean {
  switch (channel) {
    case 'sms':
      return person.phone !== undefined;
    case 'email':
      return person.email !== undefined;
    case 'push':
    case 'inapp':
      return person.userId !== undefined;
  }
}

/**
 * The channels to send on, in the fixed order of CHANNELS: the person's preferences (all
 * channels when none are set; every channel at thượng khẩn and hỏa tốc), narrowed by the contact
 * data the person has. A wanted channel without contact data is `skipped` with a reason, to be
 * recorded as a status rather than raised as an error. Channels outside the preferences are not
 * messages at all and are not listed. No fallback: when the preferences cannot be met the
 * channel list is empty and `skipped` says why, since a source's `channels` restricts delivery.
 */
export function chooseChannels(person: ChannelContact, urgency: Urgency): ChannelChoice {
  const wanted = person.channels === undefined || WIDENING_URGENCIES.has(urgency) ? CHANNELS : person.channels;
  const channels: Channel[] = [];
  const skipped: ChannelChoice['skipped'] = [];
  for (const channel of CHANNELS) {
    if (!wanted.includes(channel)) continue;
    if (reachable(person, channel)) channels.push(channel);
    else skipped.push({ channel, reason: SKIP_REASONS[channel] });
  }
  return { channels, skipped };
}
