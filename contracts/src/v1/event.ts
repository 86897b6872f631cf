import { z } from 'zod';
import { documentDispatchedDataSchema, documentRecalledDataSchema } from './document';
import { meetingCancelledDataSchema, meetingScheduledDataSchema, meetingUpdatedDataSchema } from './meeting';
import { dateTimeSchema, DATE_TIME_MESSAGE, idSchema, sourceSchema, whenPresent } from './primitives';

export const EVENT_TYPES = [
  'meeting.scheduled',
  'meeting.updated',
  'meeting.cancelled',
  'document.dispatched',
  'document.recalled',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && (EVENT_TYPES as readonly string[]).includes(value);
}

const envelopeFields = {
  id: idSchema.optional().meta({
    title: 'Mã sự kiện / Event id',
    description:
      'Unique per event, used to drop duplicates; when absent the gateway assigns a UUID. 1-128 characters of A-Z, a-z, 0-9, ".", "_", ":", "-".',
    examples: ['vptu-gm-2025-0512'],
  }),
  occurredAt: dateTimeSchema.meta({
    title: 'Thời điểm phát sinh / Occurred at',
    description: `When the source recorded the event; ${DATE_TIME_MESSAGE}.`,
    examples: ['2025-09-25T15:30:00+07:00'],
  }),
  source: sourceSchema.meta({
    title: 'Hệ thống gửi / Source system',
    description: 'Id of the sending system, 1-64 characters of a-z, 0-9, ".", "_", "-".',
    examples: ['vpthanhuy-lichhop'],
  }),
};

function envelope<T extends EventType, D extends z.ZodType>(type: T, data: D, description: string) {
  return z
    .strictObject({
      id: envelopeFields.id,
      type: z.literal(type).meta({ title: 'Loại sự kiện / Event type' }),
      occurredAt: envelopeFields.occurredAt,
      source: envelopeFields.source,
      data,
    })
    .meta({ title: type, description });
}

const meetingScheduledEventSchema = envelope(
  'meeting.scheduled',
  meetingScheduledDataSchema,
  'Giấy mời họp mới. A new meeting invitation: every participant is notified.',
);
const meetingUpdatedEventSchema = envelope(
  'meeting.updated',
  meetingUpdatedDataSchema,
  'Thay đổi giấy mời họp (thời gian, địa điểm, ...). A change to a meeting already announced; recipients see it marked THAY ĐỔI.',
);
const meetingCancelledEventSchema = envelope(
  'meeting.cancelled',
  meetingCancelledDataSchema,
  'Hủy cuộc họp. A cancellation; recipients see it marked HỦY.',
);
const documentDispatchedEventSchema = envelope(
  'document.dispatched',
  documentDispatchedDataSchema,
  'Thông báo văn bản đến/đi. A document to read or handle; content withheld from SMS, email and push when mật or above.',
);
const documentRecalledEventSchema = envelope(
  'document.recalled',
  documentRecalledDataSchema,
  'Thu hồi văn bản. A document withdrawn by its issuer.',
);

export const EVENT_SCHEMAS = {
  'meeting.scheduled': meetingScheduledEventSchema,
  'meeting.updated': meetingUpdatedEventSchema,
  'meeting.cancelled': meetingCancelledEventSchema,
  'document.dispatched': documentDispatchedEventSchema,
  'document.recalled': documentRecalledEventSchema,
} as const satisfies Record<EventType, z.ZodType>;

export const gatewayEventSchema = z
  .discriminatedUnion(
    'type',
    [
      meetingScheduledEventSchema,
      meetingUpdatedEventSchema,
      meetingCancelledEventSchema,
      documentDispatchedEventSchema,
      documentRecalledEventSchema,
    ],
    { error: whenPresent(`must be one of ${EVENT_TYPES.join(', ')}`) },
  )
  .meta({
    title: 'Sự kiện gửi vào cổng thông báo / Gateway event (v1)',
    description: 'Envelope {id?, type, occurredAt, source, data}; the shape of data depends on type.',
  });

/**
 * Used when `type` is missing or not a string: there is no data schema to apply, but the rest of
 * the envelope can still be checked so the source sees every problem in one answer.
 */
export const envelopeWithoutTypeSchema = z.strictObject({
  ...envelopeFields,
  type: z.string({ error: (issue) => (issue.input === undefined ? 'required' : 'must be a string') }),
  data: z.looseObject({}),
});

export type GatewayEvent = z.output<typeof gatewayEventSchema>;
export type MeetingScheduledEvent = z.output<typeof meetingScheduledEventSchema>;
export type MeetingUpdatedEvent = z.output<typeof meetingUpdatedEventSchema>;
export type MeetingCancelledEvent = z.output<typeof meetingCancelledEventSchema>;
export type DocumentDispatchedEvent = z.output<typeof documentDispatchedEventSchema>;
export type DocumentRecalledEvent = z.output<typeof documentRecalledEventSchema>;
export type MeetingEvent = MeetingScheduledEvent | MeetingUpdatedEvent | MeetingCancelledEvent;

export function isMeetingEvent(event: GatewayEvent): event is MeetingEvent {
  return event.type.startsWith('meeting.');
}
