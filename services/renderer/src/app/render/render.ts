import {
  isMeetingEvent,
  type Channel,
  type ChannelMessage,
  type EmailMessage,
  type GatewayEvent,
  type InappMessage,
  type PushMessage,
  type Secrecy,
  type SmsMessage,
  type SubjectRef,
  type Urgency,
} from '@gateway/contracts';
import { applySmsPolicy, markWhole, meetingUid, type SmsPart, type SmsPolicyResult, SmsPolicyMemo } from '../../domain';
import { prepareEventCalendar, type EventCalendar } from './calendar-part';
import { PartRenderer, type Part } from './personalize';
import { smsView } from './sms-view';
import type { EventTemplates, PartSet, TemplateRegistry } from './templates';
import { clip, clipBytes, oneLine, tidyText } from './text';
import { buildEventView, recipientView, type AgencyInfo, type EventView, type RecipientPerson } from './view-model';

/**
 * The pure render step: one event, one recipient, the channels the caller chose -> one channel
 * message (or a skip with its reason) per channel. No I/O; deterministic for the same input, so
 * a replayed event renders the same bytes.
 *
 * Throughput comes from doing per event what does not depend on the recipient: the view model
 * (dates formatted once), the calendar part (built once, see calendar-part.ts) and the SMS length
 * policy (memoized on the rendered parts, which rarely name the recipient). A message then costs
 * a handful of precompiled template calls.
 */

export interface RendererOptions {
  templates: TemplateRegistry;
  agency: AgencyInfo;
}

export interface PrepareOptions {
  /** Calendar SEQUENCE for meeting events; see `defaultSequence`. */
  sequence?: number | undefined;
  /**
   * The sender that qualifies the meeting's calendar UID, when another sender used the same
   * meeting id first; absent: the plain UID (docs/adr/0003-event-identity.md).
   */
  uidScope?: string | undefined;
}

export interface RenderContext {
  /** The deterministic message id for this event, recipient and channel. */
  messageIdFor(channel: Channel): string;
  correlationId: string;
  /** ISO 8601 time stamped on the messages as createdAt. */
  now: string;
  sequence?: number | undefined;
  /** The meeting or document the messages are about, with its version: the workers supersede stale ones. */
  about?: SubjectRef | undefined;
  /** The recipient's personal attendance link (`<PUBLIC_BASE_URL>/x/<code>`), for meetings that ask for confirmation. */
  confirmLink?: string | undefined;
}

/** A channel that produced no message for this recipient; published as a `skipped` status. */
export interface SkippedMessage {
  channel: Channel;
  id: string;
  skipped: true;
  reason: string;
}

export type RenderResult = ChannelMessage | SkippedMessage;

export function isSkipped(result: RenderResult): result is SkippedMessage {
  return 'skipped' in result;
}

// Bounds below the contract maxima where clients show less than the contract allows.
const EMAIL_SUBJECT_MAX = 250;
const PUSH_TITLE_MAX = 120;
const PUSH_BODY_MAX = 1500;
/**
 * Title, body and link together, in UTF-8 bytes. Push services refuse payloads over 4 KB after
 * encryption (which adds about 100 bytes), and the JSON around the fields adds a little more.
 */
const PUSH_TEXT_BUDGET = 3000;
const INAPP_TITLE_MAX = 500;
const INAPP_BODY_MAX = 20_000;
/** The contract's bounds on an SMS (contracts/src/v1/messages.ts): no provider takes a longer one. */
const SMS_MAX_SEGMENTS = 10;
const SMS_TEXT_MAX = 1600;
/** Distinct SMS texts remembered per event; a personalized template fills it and then just recomputes. */
const SMS_MEMO_MAX = 1024;

interface MessageBase {
  eventId: string;
  eventType: GatewayEvent['type'];
  urgency: Urgency;
  secrecy: Secrecy | undefined;
}

/** Everything about one event that every recipient shares. Create with `Renderer.prepareEvent`. */
export class PreparedEvent {
  readonly smsMemo = new Map<string, SmsPolicyResult>();
  /** Personalised SMS texts defeat `smsMemo`; their shared pieces are still worked out once. */
  readonly smsPolicyMemo = new SmsPolicyMemo();
  readonly parts: PartRenderer;
  /** SMS parts render from a view whose free text is marked as shortenable (see sms-view.ts). */
  readonly smsParts: PartRenderer;

  constructor(
    readonly event: GatewayEvent,
    readonly sequence: number | undefined,
    readonly view: EventView,
    readonly templates: EventTemplates,
    readonly partSet: PartSet,
    readonly calendar: EventCalendar | null,
    readonly base: MessageBase,
  ) {
    this.parts = new PartRenderer(view);
    this.smsParts = new PartRenderer(smsView(view));
  }
}

export interface Renderer {
  prepareEvent(event: GatewayEvent, options?: PrepareOptions): PreparedEvent;
  /**
   * Throws TemplateError when a template fails (dead-letter the event: a retry fails the same
   * way) and InvalidDateError/RangeError for an event the contracts should have refused.
   */
  renderMessages(
    event: GatewayEvent | PreparedEvent,
    person: RecipientPerson,
    channels: readonly Channel[],
    ctx: RenderContext,
  ): RenderResult[];
}

/**
 * Without a tracked sequence: the invitation is 0 and a change or cancellation 1, so at least the
 * first change outranks the invitation in calendar clients. The templating service tracks the
 * real value per meeting and passes it.
 */
function defaultSequence(type: GatewayEvent['type']): number {
  return type === 'meeting.scheduled' ? 0 : 1;
}

function checkOptions({ templates, agency }: RendererOptions): void {
  if (typeof templates?.forType !== 'function') throw new TypeError('createRenderer: templates must come from loadTemplates()');
  for (const key of ['name', 'emailFrom', 'calendarDomain'] as const) {
    if (typeof agency?.[key] !== 'string' || agency[key].trim() === '') {
      throw new TypeError(`createRenderer: agency.${key} must be a non-empty string`);
    }
  }
  // Fails now, not on the first meeting, when the domain is not a host name.
  meetingUid('check', agency.calendarDomain);
}

function messageRecipient(person: RecipientPerson): ChannelMessage['recipient'] {
  return {
    id: person.id,
    name: person.name,
    ...(person.phone !== undefined ? { phone: person.phone } : {}),
    ...(person.email !== undefined ? { email: person.email } : {}),
    ...(person.userId !== undefined ? { userId: person.userId } : {}),
  };
}

function smsKey(parts: readonly SmsPart[]): string {
  let key = '';
  for (const part of parts) key += `${part.optional === true ? '?' : '!'}${part.text}\u0000`;
  return key;
}

export function createRenderer(options: RendererOptions): Renderer {
  checkOptions(options);
  const { templates, agency } = options;
  // Callers that pass the plain event for each recipient still get the per-event work done once.
  const preparedByEvent = new WeakMap<GatewayEvent, PreparedEvent>();

  function prepareEvent(event: GatewayEvent, prepareOptions: PrepareOptions = {}): PreparedEvent {
    const { sequence, uidScope } = prepareOptions;
    if (sequence !== undefined && (!Number.isInteger(sequence) || sequence < 0)) {
      throw new RangeError(`sequence must be a non-negative integer, got ${sequence}`);
    }
    const forType = templates.forType(event.type);
    const view = buildEventView(event, agency);
    let parts = forType.standard;
    if (view.kind === 'secret-document') {
      if (forType.secret === null) throw new RangeError(`${event.type}: no secret templates loaded for a classified document`);
      parts = forType.secret;
    }
    const base: MessageBase = {
      eventId: view.event.id,
      eventType: event.type,
      urgency: event.data.urgency,
      secrecy: isMeetingEvent(event) ? undefined : event.data.secrecy,
    };
    return new PreparedEvent(event, sequence, view, forType, parts, calendarFor(event, view, forType, sequence, uidScope), base);
  }

  function calendarFor(event: GatewayEvent, view: EventView, forType: EventTemplates, sequence: number | undefined, uidScope: string | undefined): EventCalendar | null {
    if (!isMeetingEvent(event) || forType.calendarDescription === null) return null;
    const data = event.data;
    // Rendered once for all recipients, so the template sees no recipient.
    const description = tidyText(forType.calendarDescription.render({ ...view, recipient: null }));
    return prepareEventCalendar({
      uid: meetingUid(data.meetingId, agency.calendarDomain, uidScope),
      sequence: sequence ?? defaultSequence(event.type),
      method: event.type === 'meeting.cancelled' ? 'CANCEL' : 'REQUEST',
      title: data.title,
      ...(description !== '' ? { description } : {}),
      // Calendar clients show LOCATION, not URL; an online-only meeting's place is its link.
      ...(data.location !== undefined || data.onlineLink !== undefined ? { location: data.location ?? data.onlineLink } : {}),
      ...(data.onlineLink !== undefined ? { url: data.onlineLink } : {}),
      start: data.start,
      end: data.end,
      organizer: { name: agency.name, email: agency.emailFrom },
      stamp: event.occurredAt,
      // Nothing receives calendar replies yet (iMIP REPLY is left for later): an "Accept" would go
      // to the no-reply organizer. Ask for none; a meeting that needs answers carries personal links.
      rsvp: false,
    });
  }

  function resolve(event: GatewayEvent | PreparedEvent, sequence: number | undefined): PreparedEvent {
    if (event instanceof PreparedEvent) {
      if (sequence !== undefined && sequence !== event.sequence) {
        throw new RangeError(`the event was prepared with sequence ${event.sequence}, the render context says ${sequence}`);
      }
      return event;
    }
    const cached = preparedByEvent.get(event);
    if (cached !== undefined && cached.sequence === sequence) return cached;
    const prepared = prepareEvent(event, { sequence });
    preparedByEvent.set(event, prepared);
    return prepared;
  }

  function smsPolicy(prepared: PreparedEvent, parts: SmsPart[]): SmsPolicyResult {
    const key = smsKey(parts);
    const known = prepared.smsMemo.get(key);
    if (known !== undefined) return known;
    const result = applySmsPolicy(parts, prepared.templates.sms, prepared.smsPolicyMemo);
    if (prepared.smsMemo.size < SMS_MEMO_MAX) prepared.smsMemo.set(key, result);
    return result;
  }

  function renderMessages(
    event: GatewayEvent | PreparedEvent,
    person: RecipientPerson,
    channels: readonly Channel[],
    ctx: RenderContext,
  ): RenderResult[] {
    const prepared = resolve(event, ctx.sequence);
    const { partSet: parts, base } = prepared;
    const who = { ...recipientView(person), confirmLink: ctx.confirmLink ?? null };
    // A cut link is worse than none: the SMS policy keeps it whole, like the meeting's own link.
    const smsWho = ctx.confirmLink === undefined ? who : { ...who, confirmLink: markWhole(ctx.confirmLink) };
    const render = (part: Part): string => prepared.parts.render(part, who);
    const recipient = messageRecipient(person);
    const common = (id: string) => ({
      id,
      eventId: base.eventId,
      eventType: base.eventType,
      correlationId: ctx.correlationId,
      createdAt: ctx.now,
      urgency: base.urgency,
      ...(base.secrecy !== undefined ? { secrecy: base.secrecy } : {}),
      recipient,
      attempt: 1,
      ...(ctx.about !== undefined ? { about: ctx.about } : {}),
    });
    const skip = (channel: Channel, id: string, reason: string): SkippedMessage => ({ channel, id, skipped: true, reason });
    const link = prepared.view.link;

    return channels.map((channel): RenderResult => {
      const id = ctx.messageIdFor(channel);
      switch (channel) {
        case 'sms': {
          if (person.phone === undefined) return skip(channel, id, 'no phone number');
          const smsParts: SmsPart[] = [];
          for (const part of parts.sms) {
            const text = prepared.smsParts.render(part, smsWho);
            if (text !== '') smsParts.push({ text, optional: part.optional });
          }
          if (smsParts.length === 0) return skip(channel, id, 'the SMS template rendered no text');
          const result = smsPolicy(prepared, smsParts);
          // Only a link of a thousand characters gets here: the policy cuts everything else first.
          if (result.segments > SMS_MAX_SEGMENTS || result.text.length > SMS_TEXT_MAX) {
            return skip(channel, id, `đường dẫn, thời gian và số hiệu dài hơn mọi SMS (${result.segments} tin) / links, times and numbers alone exceed any SMS`);
          }
          const message: SmsMessage = {
            ...common(id),
            channel,
            text: result.text,
            encoding: result.encoding,
            segments: result.segments,
            diacritics: result.diacritics,
          };
          return message;
        }
        case 'email': {
          if (person.email === undefined) return skip(channel, id, 'no email address');
          const message: EmailMessage = {
            ...common(id),
            channel,
            subject: clip(oneLine(render(parts.emailSubject)), EMAIL_SUBJECT_MAX),
            html: render(parts.emailHtml).trim(),
            text: tidyText(render(parts.emailText)),
          };
          const calendar = prepared.calendar;
          if (calendar !== null) {
            message.calendar = {
              method: calendar.method,
              uid: calendar.uid,
              sequence: calendar.sequence,
              ics: calendar.forAttendee({ name: person.name, email: person.email }),
            };
          }
          return message;
        }
        case 'push': {
          if (person.userId === undefined) return skip(channel, id, 'no app user id to deliver web push to');
          const title = clip(oneLine(render(parts.pushTitle)), PUSH_TITLE_MAX);
          const budget = PUSH_TEXT_BUDGET - Buffer.byteLength(title, 'utf8') - (link === null ? 0 : Buffer.byteLength(link, 'utf8'));
          const message: PushMessage = {
            ...common(id),
            channel,
            title,
            body: clipBytes(clip(tidyText(render(parts.pushBody)), PUSH_BODY_MAX), budget),
            ...(link !== null ? { url: link } : {}),
          };
          return message;
        }
        case 'inapp': {
          if (person.userId === undefined) return skip(channel, id, 'no app user id for the in-app inbox');
          const message: InappMessage = {
            ...common(id),
            channel,
            title: clip(oneLine(render(parts.inappTitle)), INAPP_TITLE_MAX),
            body: clip(tidyText(render(parts.inappBody)), INAPP_BODY_MAX),
            ...(link !== null ? { url: link } : {}),
          };
          return message;
        }
      }
    });
  }

  return { prepareEvent, renderMessages };
}
