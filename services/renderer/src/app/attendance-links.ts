import type { MeetingEvent } from '@gateway/contracts';
import { linkCode, linkUrl, meetingExpiry, type AttendanceLinkStore, type Invitee, type LinkRecord, type MeetingSummary } from '@gateway/attendance';
import type { ResolvedPerson } from '@gateway/directory';
import { formatVnTimeRange } from '../domain';

/** What the renderer needs to give each invitee a personal attendance link. */
export interface AttendanceLinking {
  links: AttendanceLinkStore;
  secret: string;
  publicBaseUrl: string;
}

export interface LinkPlan {
  /** The personal link of each person, by person id; empty when the event asks for no answer. */
  urls: ReadonlyMap<string, string>;
  meeting: MeetingSummary;
  records: LinkRecord[];
}

function invitee(person: ResolvedPerson): Invitee {
  return { personId: person.id, name: person.name, ...(person.title !== undefined ? { title: person.title } : {}), ...(person.unit !== undefined ? { unit: person.unit } : {}) };
}

/**
 * The meeting's summary and one link per invitee, stored with every version of a meeting that asks
 * for confirmation (latest version wins), so the page shows the current time and place, and a
 * cancellation's page says it is cancelled. A meeting that never asked for confirmation stores nothing.
 */
export async function planLinks(event: MeetingEvent, sender: string, people: readonly ResolvedPerson[], version: number, linking: AttendanceLinking): Promise<LinkPlan | undefined> {
  const data = event.data;
  const cancelled = event.type === 'meeting.cancelled';
  if (!data.confirmationRequired && (await linking.links.meeting(sender, data.meetingId)) === undefined) return undefined;
  const expiresAt = meetingExpiry(data.start, data.end);
  const meeting: MeetingSummary = {
    source: sender,
    meetingId: data.meetingId,
    version,
    title: data.title,
    start: data.start,
    end: data.end,
    timeText: formatVnTimeRange(data.start, data.end),
    ...(data.location !== undefined ? { location: data.location } : {}),
    ...(data.onlineLink !== undefined ? { onlineLink: data.onlineLink } : {}),
    chair: data.chair,
    cancelled,
    confirmationRequired: data.confirmationRequired,
    expiresAt,
    invitees: people.map(invitee),
  };
  const urls = new Map<string, string>();
  const records: LinkRecord[] = [];
  for (const person of people) {
    const code = linkCode(linking.secret, { source: sender, meetingId: data.meetingId, personId: person.id });
    records.push({ code, source: sender, meetingId: data.meetingId, personId: person.id, expiresAt });
    if (data.confirmationRequired && !cancelled) urls.set(person.id, linkUrl(linking.publicBaseUrl, code));
  }
  return { urls, meeting, records };
}
