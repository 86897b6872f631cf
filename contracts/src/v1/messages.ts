import { z } from 'zod';
import { CHANNELS, channelSchema, secrecySchema, urgencySchema } from './classification';
import { EVENT_TYPES } from './event';
import { dateTimeSchema, e164Schema, idSchema, nonBlankText, urlSchema } from './primitives';
import { subjectRefSchema } from './subjects';

const messageId = z
  .string()
  .max(256)
  .regex(/^[A-Za-z0-9._:-]+$/, { error: 'must use only letters, digits, ".", "_", ":" or "-"' });

const eventTypeSchema = z.enum(EVENT_TYPES);

/** What a channel worker needs to reach one person; already resolved and normalized upstream. */
const messageRecipientSchema = z.strictObject({
  id: z.string().min(1).max(128),
  name: nonBlankText(200),
  phone: e164Schema.optional(),
  email: z.email().optional(),
  userId: idSchema.optional(),
});

const commonFields = {
  /** Derived from event, recipient and channel so a replayed event yields the same id and is deduplicated. */
  id: messageId,
  eventId: idSchema,
  eventType: eventTypeSchema,
  correlationId: z.string().min(1).max(256),
  createdAt: dateTimeSchema,
  urgency: urgencySchema,
  secrecy: secrecySchema.optional(),
  recipient: messageRecipientSchema,
  attempt: z.int().min(1).default(1),
  /** Set by an operator resend: the message this one replaces. */
  resendOf: messageId.optional(),
  /**
   * The meeting or document (and its version) the message is about; optional: older messages omit
   * it and are never superseded. Not `subject`: an email has one.
   */
  about: subjectRefSchema.optional(),
};

const smsMessageSchema = z.strictObject({
  ...commonFields,
  channel: z.literal('sms'),
  text: z.string().min(1).max(1600),
  encoding: z.enum(['GSM-7', 'UCS-2']),
  segments: z.int().min(1).max(10),
  diacritics: z.enum(['keep', 'strip']),
});

const calendarPartSchema = z.strictObject({
  method: z.enum(['REQUEST', 'CANCEL']),
  uid: z.string().min(1).max(256),
  sequence: z.int().min(0),
  ics: z.string().min(1),
});

const emailMessageSchema = z.strictObject({
  ...commonFields,
  channel: z.literal('email'),
  subject: z.string().min(1).max(998),
  html: z.string().min(1),
  text: z.string().min(1),
  calendar: calendarPartSchema.optional(),
});

/** Web push payloads must stay under about 4 KB once encrypted. */
const pushMessageSchema = z.strictObject({
  ...commonFields,
  channel: z.literal('push'),
  title: z.string().min(1).max(200),
  body: z.string().max(1500),
  url: urlSchema.optional(),
});

const inappMessageSchema = z.strictObject({
  ...commonFields,
  channel: z.literal('inapp'),
  title: z.string().min(1).max(500),
  body: z.string().max(20_000),
  url: urlSchema.optional(),
});

export const channelMessageSchema = z.discriminatedUnion('channel', [
  smsMessageSchema,
  emailMessageSchema,
  pushMessageSchema,
  inappMessageSchema,
]);

export type SmsMessage = z.output<typeof smsMessageSchema>;
export type EmailMessage = z.output<typeof emailMessageSchema>;
export type PushMessage = z.output<typeof pushMessageSchema>;
export type InappMessage = z.output<typeof inappMessageSchema>;
export type ChannelMessage = z.output<typeof channelMessageSchema>;
export type ChannelMessageInput = z.input<typeof channelMessageSchema>;
export type MessageOf<C extends (typeof CHANNELS)[number]> = Extract<ChannelMessage, { channel: C }>;

export const DELIVERY_STATES = [
  'rendered',
  'skipped',
  'queued',
  'sending',
  'sent',
  'delivered',
  'undelivered',
  'read',
  'retrying',
  'failed',
  'dead',
  /** Not sent: a newer version of its meeting came first, or its document was recalled. */
  'superseded',
] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** States after which nothing more happens to a message unless an operator resends it. */
export const FINAL_DELIVERY_STATES: ReadonlySet<DeliveryState> = new Set<DeliveryState>([
  'skipped',
  'delivered',
  'undelivered',
  'read',
  'failed',
  'dead',
  'superseded',
]);

const ERROR_CLASSES = ['transient', 'permanent'] as const;

/**
 * Who and what a message is for, in a few fields: carried by the first status of a message (the
 * renderer's `rendered` / `skipped`, an operator's resend) so the operator's read model can search
 * by recipient, source and urgency without reading the channel topics.
 */
export const messageSummarySchema = z.strictObject({
  recipient: z.strictObject({
    id: z.string().min(1).max(128),
    name: nonBlankText(200),
    phone: e164Schema.optional(),
    email: z.email().optional(),
  }),
  eventType: eventTypeSchema,
  source: z.string().min(1).max(64).optional(),
  urgency: urgencySchema.optional(),
  secrecy: secrecySchema.optional(),
});

export type MessageSummary = z.output<typeof messageSummarySchema>;

export const deliveryStatusSchema = z.strictObject({
  messageId,
  eventId: idSchema,
  channel: channelSchema,
  status: z.enum(DELIVERY_STATES),
  at: dateTimeSchema,
  attempt: z.int().min(1).optional(),
  provider: z.string().min(1).max(64).optional(),
  providerMessageId: z.string().min(1).max(256).optional(),
  reason: z.string().min(1).max(1000).optional(),
  error: z
    .strictObject({
      class: z.enum(ERROR_CLASSES),
      code: z.string().min(1).max(128).optional(),
      message: z.string().max(2000),
    })
    .optional(),
  nextAttemptAt: dateTimeSchema.optional(),
  /** On the first status of a message (optional: older producers and later statuses omit it). */
  summary: messageSummarySchema.optional(),
  /** On the first status of an operator resend: the message it replaces. */
  resendOf: messageId.optional(),
});

export type DeliveryStatus = z.output<typeof deliveryStatusSchema>;

export const deadLetterSchema = z.strictObject({
  sourceTopic: z.string().min(1).max(249),
  partition: z.int().min(0).optional(),
  /** Kafka offsets are 64-bit; kept as the decimal string Kafka clients use. */
  offset: z
    .string()
    .regex(/^\d+$/, { error: 'must be a decimal offset' })
    .optional(),
  key: z.string().nullable().optional(),
  value: z.string(),
  reason: z.string().min(1).max(2000),
  issues: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
  service: z.string().min(1).max(64),
  at: dateTimeSchema,
});

export type DeadLetter = z.output<typeof deadLetterSchema>;

export const FAILED_RECORD_STATES = ['failed', 'dead', 'undelivered'] as const;

/**
 * A message a channel worker gave up on, kept with everything needed to resend it. The workers
 * write it and the operator reads it back, possibly from another version: every read parses it.
 */
export const failedRecordSchema = z.strictObject({
  messageId,
  eventId: idSchema,
  channel: channelSchema,
  recipient: messageRecipientSchema,
  /**
   * failed: a permanent error; dead: transient errors until the attempts ran out; undelivered: the
   * provider accepted it, then the carrier reported it could not reach the phone.
   */
  state: z.enum(FAILED_RECORD_STATES),
  reason: z.string(),
  errorClass: z.enum(ERROR_CLASSES),
  code: z.string().optional(),
  provider: z.string().optional(),
  providerAnswer: z.string().optional(),
  attempts: z.int().min(1),
  at: dateTimeSchema,
  message: channelMessageSchema,
});

export type FailedRecord = z.output<typeof failedRecordSchema>;
