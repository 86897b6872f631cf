import {
  DIRECTION_LABELS,
  isClassified,
  SECRECY_LABELS,
  URGENCY_LABELS,
  type DocumentDispatchedEvent,
  type DocumentRecalledEvent,
  type GatewayEvent,
  type MeetingEvent,
  type Secrecy,
  type Urgency,
} from '@gateway/contracts';
import { formatVnDate, formatVnDateShort, formatVnDateTime, formatVnTime, formatVnTimeRange } from '../../domain';

/**
 * View models for the templates. Templates are compiled in strict mode, where `{{x}}` on a missing
 * field throws and `{{#if a.b}}` throws when `a` is missing, so every field a template may name is
 * always present: null (or an empty list) when the event does not have it, and nested objects are
 * always objects. Dates are formatted here, once per event, so templates never parse them.
 */

/** One recipient, as resolved from the event or the directory. */
export interface RecipientPerson {
  id: string;
  name: string;
  title?: string | undefined;
  unit?: string | undefined;
  phone?: string | undefined;
  email?: string | undefined;
  userId?: string | undefined;
}

/** The agency running the gateway: it signs every notification and organizes calendar entries. */
export interface AgencyInfo {
  name: string;
  emailFrom: string;
  /** Host name used in calendar UIDs, e.g. "lichhop.danang.gov.vn". */
  calendarDomain: string;
}

export interface ViewModelContext {
  agency: AgencyInfo;
  /** Calendar SEQUENCE for meeting events; not used by templates. */
  sequence?: number | undefined;
}

export interface HeaderView {
  /** The issuing body in capitals: "THÀNH ỦY ĐÀ NẴNG". */
  body: string;
  /** Party bodies carry a star under their name and "ĐẢNG CỘNG SẢN VIỆT NAM" opposite it. */
  party: boolean;
  /** "ĐẢNG CỘNG SẢN VIỆT NAM" or "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM". */
  national: string;
  /** "Độc lập - Tự do - Hạnh phúc" under the state line; null for Party bodies. */
  motto: string | null;
}

export interface UrgencyView {
  slug: Urgency;
  label: string;
  upper: string;
  /** Anything above "thường": shown as a [KHẨN]-style tag. */
  urgent: boolean;
}

export type RecipientView = {
  name: string;
  title: string | null;
  unit: string | null;
  /** The recipient's personal attendance link when the meeting asks for confirmation; null otherwise. */
  confirmLink: string | null;
};

export interface PreviousView {
  /** True when the source sent any previous value. */
  any: boolean;
  time: string | null;
  location: string | null;
  onlineLink: string | null;
}

export interface MeetingView {
  id: string;
  number: string | null;
  title: string;
  organizerUnit: string;
  /** The event's issuing body, or the organizing unit when the source did not name one. */
  issuingBody: string;
  chair: string;
  signer: string | null;
  /** "từ 08 giờ 00 đến 11 giờ 30, Thứ Hai, ngày 29/9/2025" */
  time: string;
  /** "08 giờ 00, Thứ Hai, ngày 29/9/2025" */
  startText: string;
  /** "Thứ Hai, ngày 29/9/2025" */
  date: string;
  /** "08 giờ 00" */
  startTime: string;
  location: string | null;
  onlineLink: string | null;
  /** Both a room and an online link: every ward and commune joins online. */
  hybrid: boolean;
  /** A single agenda text; null when the agenda is a list or absent. */
  agendaText: string | null;
  /** Numbered agenda points when the source sent a list of two or more. */
  agendaItems: ReadonlyArray<{ no: number; text: string }>;
  attachments: ReadonlyArray<{ title: string; url: string }>;
  confirmationRequired: boolean;
  reason: string | null;
  previous: PreviousView;
}

export interface DocumentView {
  id: string;
  number: string;
  summary: string | null;
  /** The summary ending in a full stop, for running text such as SMS. */
  summaryLine: string | null;
  issuingBody: string;
  /** "27/9/2025" */
  issueDate: string;
  directionLabel: string;
  incoming: boolean;
  arrivalNumber: string | null;
  /** "26/9/2025" */
  arrivalDate: string | null;
  /** "17 giờ 00, Chủ Nhật, ngày 28/9/2025" or, for a whole day, "Thứ Sáu, ngày 10/10/2025". */
  deadline: string | null;
  link: string;
  handlers: readonly string[];
  reason: string | null;
}

/**
 * All a classified document's notice may show: what is printed on the envelope of a secret
 * document (number, secrecy and urgency marks) and where to read it. Nothing else exists here,
 * so no template can reach the summary, the handlers or the recall reason.
 */
export interface SecretDocumentView {
  number: string;
  link: string;
  secrecy: { label: string; upper: string };
}

interface CommonView {
  event: { id: string; type: GatewayEvent['type']; occurredAt: string };
  agency: { name: string; nameUpper: string; emailFrom: string };
  header: HeaderView;
  urgency: UrgencyView;
  /** The main link of the notification (online meeting room, document); null when there is none. */
  link: string | null;
}

export type EventView =
  | (CommonView & { kind: 'meeting'; meeting: MeetingView })
  | (CommonView & { kind: 'document'; document: DocumentView })
  | (CommonView & { kind: 'secret-document'; document: SecretDocumentView });

export type ViewModel = EventView & { recipient: RecipientView };

// Same mapping as the `upper` helper: NFC so a decomposed input still yields precomposed capitals.
const upper = (text: string): string => text.normalize('NFC').toUpperCase().normalize('NFC');

const PARTY_BODY = /(^|[\s,(])(đảng|thành ủy|tỉnh ủy|đảng ủy|huyện ủy|quận ủy|thị ủy|trung ương)($|[\s,)])/;
const STATE_BODY = /(ủy ban nhân dân|hội đồng nhân dân|ubnd|hđnd)/;

/**
 * Party bodies head their papers with "ĐẢNG CỘNG SẢN VIỆT NAM", state bodies with the national
 * title and motto. Both tone placements of "ủy/uỷ" occur in source data.
 */
function headerFor(body: string): HeaderView {
  const folded = body.normalize('NFC').toLocaleLowerCase('vi').replace(/uỷ/g, 'ủy');
  const party = PARTY_BODY.test(folded) && !STATE_BODY.test(folded);
  return party
    ? { body: upper(body), party, national: 'ĐẢNG CỘNG SẢN VIỆT NAM', motto: null }
    : { body: upper(body), party, national: 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', motto: 'Độc lập - Tự do - Hạnh phúc' };
}

function urgencyView(slug: Urgency): UrgencyView {
  const label = URGENCY_LABELS[slug];
  return { slug, label, upper: upper(label), urgent: slug !== 'thuong' };
}

function eventId(event: GatewayEvent): string {
  // The intake assigns an id to every event it publishes; an event without one never came through it.
  if (event.id === undefined) throw new RangeError(`${event.type} event from ${event.source} has no id; the intake assigns one`);
  return event.id;
}

function common(event: GatewayEvent, agency: AgencyInfo, headerBody: string, link: string | null): CommonView {
  return {
    event: { id: eventId(event), type: event.type, occurredAt: event.occurredAt },
    agency: { name: agency.name, nameUpper: upper(agency.name), emailFrom: agency.emailFrom },
    header: headerFor(headerBody),
    urgency: urgencyView(event.data.urgency),
    link,
  };
}

/** A range when both ends are known; otherwise the one end the source sent. */
function previousTime(start: string | undefined, end: string | undefined, current: { start: string; end: string }): string | null {
  if (start === undefined && end === undefined) return null;
  const from = start ?? current.start;
  const to = end ?? current.end;
  if (Date.parse(to) > Date.parse(from)) return formatVnTimeRange(from, to);
  return start !== undefined ? formatVnDateTime(start) : `đến ${formatVnDateTime(to)}`;
}

function meetingView(event: MeetingEvent): MeetingView {
  const data = event.data;
  const agenda = data.agenda === undefined ? [] : typeof data.agenda === 'string' ? [data.agenda] : data.agenda;
  const previous = event.type === 'meeting.updated' ? event.data.previous : undefined;
  return {
    id: data.meetingId,
    number: data.number ?? null,
    title: data.title,
    organizerUnit: data.organizerUnit,
    issuingBody: data.issuingBody ?? data.organizerUnit,
    chair: data.chair,
    signer: data.signer ?? null,
    time: formatVnTimeRange(data.start, data.end),
    startText: formatVnDateTime(data.start),
    date: formatVnDate(data.start),
    startTime: formatVnTime(data.start),
    location: data.location ?? null,
    onlineLink: data.onlineLink ?? null,
    hybrid: data.location !== undefined && data.onlineLink !== undefined,
    agendaText: agenda.length === 1 ? (agenda[0] ?? null) : null,
    agendaItems: agenda.length > 1 ? agenda.map((text, i) => ({ no: i + 1, text })) : [],
    attachments: (data.attachments ?? []).map(({ title, url }) => ({ title, url })),
    confirmationRequired: data.confirmationRequired,
    reason: event.type === 'meeting.scheduled' ? null : event.data.reason,
    previous: {
      any: previous !== undefined,
      time: previous === undefined ? null : previousTime(previous.start, previous.end, data),
      location: previous?.location ?? null,
      onlineLink: previous?.onlineLink ?? null,
    },
  };
}

/** A date-time deadline keeps its hour; a bare day is shown as that calendar day. */
function deadlineText(deadline: string | undefined): string | null {
  if (deadline === undefined) return null;
  return deadline.includes('T') ? formatVnDateTime(deadline) : formatVnDate(deadline);
}

function asSentence(text: string): string {
  return /[.!?…]$/.test(text) ? text : `${text}.`;
}

/** The contracts require these of an ordinary (not classified) document. */
function present<T>(value: T | undefined, field: string): T {
  if (value === undefined) throw new RangeError(`a document that is not classified has no ${field}; the contracts require it`);
  return value;
}

function documentView(event: DocumentDispatchedEvent | DocumentRecalledEvent): DocumentView {
  const data = event.data;
  return {
    id: data.documentId,
    number: data.number,
    summary: data.summary ?? null,
    summaryLine: data.summary === undefined ? null : asSentence(data.summary),
    issuingBody: present(data.issuingBody, 'issuingBody'),
    issueDate: formatVnDateShort(present(data.issueDate, 'issueDate')),
    directionLabel: DIRECTION_LABELS[data.direction],
    incoming: data.direction === 'den',
    arrivalNumber: data.arrivalNumber ?? null,
    arrivalDate: data.arrivalDate === undefined ? null : formatVnDateShort(data.arrivalDate),
    deadline: deadlineText(data.deadline),
    link: data.link,
    handlers: data.handlers ?? [],
    reason: event.type === 'document.recalled' ? present(event.data.reason, 'reason') : null,
  };
}

/** Built field by field from the three values allowed out; never from a copy of the data. */
function secretDocumentView(number: string, link: string, secrecy: Secrecy): SecretDocumentView {
  const label = SECRECY_LABELS[secrecy];
  return { number, link, secrecy: { label, upper: upper(label) } };
}

/** Everything but the recipient: built once per event, shared by every message it produces. */
export function buildEventView(event: GatewayEvent, agency: AgencyInfo): EventView {
  switch (event.type) {
    case 'meeting.scheduled':
    case 'meeting.updated':
    case 'meeting.cancelled': {
      const meeting = meetingView(event);
      // A cancelled meeting's room is not somewhere to send people.
      const link = event.type === 'meeting.cancelled' ? null : meeting.onlineLink;
      return { ...common(event, agency, meeting.issuingBody, link), kind: 'meeting', meeting };
    }
    case 'document.dispatched':
    case 'document.recalled': {
      const { number, link, secrecy } = event.data;
      // The notice comes from the agency: even the issuing body stays inside the document system.
      if (isClassified(secrecy)) {
        return { ...common(event, agency, agency.name, link), kind: 'secret-document', document: secretDocumentView(number, link, secrecy) };
      }
      return { ...common(event, agency, agency.name, link), kind: 'document', document: documentView(event) };
    }
  }
}

export function recipientView(person: RecipientPerson): RecipientView {
  return { name: person.name, title: person.title ?? null, unit: person.unit ?? null, confirmLink: null };
}

/** The full view model of one message; renderers reuse `buildEventView` across recipients instead. */
export function buildViewModel(event: GatewayEvent, person: RecipientPerson, ctx: ViewModelContext): ViewModel {
  return { ...buildEventView(event, ctx.agency), recipient: recipientView(person) };
}
