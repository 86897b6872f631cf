import { z } from 'zod';
import { attendanceAnswerFields, checkAttendanceAnswer } from './attendance';
import { channelSchema } from './classification';
import { DELIVERY_STATES, type DeliveryState } from './messages';
import { dateTimeSchema, idSchema } from './primitives';

/**
 * States a sending system is not told of: steps inside the gateway, each followed by one it is
 * told of. Every other delivery state (including ones added later) is posted to its callback.
 */
export const INTERNAL_DELIVERY_STATES: ReadonlySet<DeliveryState> = new Set<DeliveryState>(['rendered', 'queued', 'sending', 'retrying']);

/** The delivery states that reach a sending system's callback, in the contracts' order. */
export const CALLBACK_DELIVERY_STATES: readonly DeliveryState[] = DELIVERY_STATES.filter((state) => !INTERNAL_DELIVERY_STATES.has(state));

export const CALLBACK_SIGNATURE_HEADER = 'X-Gateway-Signature';
/** The batch id, also in the body: a batch retried or replayed keeps it, so a receiver can drop a repeat. */
export const CALLBACK_DELIVERY_HEADER = 'X-Gateway-Delivery';

const messageId = z
  .string()
  .max(256)
  .regex(/^[A-Za-z0-9._:-]+$/);

/** One state change of one notification (one message to one person on one channel). */
export const notificationStatusItemSchema = z.strictObject({
  messageId,
  eventId: idSchema,
  channel: channelSchema,
  recipientId: z.string().min(1).max(128).optional(),
  status: z.enum(DELIVERY_STATES),
  at: dateTimeSchema,
  reason: z.string().min(1).max(1000).optional(),
});

const batchFields = {
  version: z.literal(1),
  /** Unique per batch and kept across retries and replays: the receiver's idempotency key. */
  id: z.string().min(1).max(128),
  /** The API key (by name) whose sources the items belong to. */
  key: z.string().min(1).max(64),
  sentAt: dateTimeSchema,
};

const notificationStatusBatchSchema = z.strictObject({
  ...batchFields,
  type: z.literal('notification.status'),
  events: z.array(notificationStatusItemSchema).min(1).max(1000),
});

/** One recipient's answer to a meeting, as the attendance topic carries it (the source is the key's). */
export const attendanceAnswerItemSchema = z.strictObject(attendanceAnswerFields).superRefine(checkAttendanceAnswer);

const attendanceAnsweredBatchSchema = z.strictObject({
  ...batchFields,
  type: z.literal('attendance.answered'),
  answers: z.array(attendanceAnswerItemSchema).min(1).max(1000),
});

/**
 * What the gateway POSTs to a sending system's callback URL (JSON, signed: contracts/README.md).
 * A union on `type` so other kinds of batch (attendance answers) join without a new version.
 */
export const callbackBatchSchema = z
  .discriminatedUnion('type', [notificationStatusBatchSchema, attendanceAnsweredBatchSchema])
  .meta({ title: 'Gateway callback batch', description: 'POSTed to the callback URL of an API key, signed with X-Gateway-Signature.' });

export const CALLBACK_TYPES = ['notification.status', 'attendance.answered'] as const;
export type CallbackType = (typeof CALLBACK_TYPES)[number];
export type NotificationStatusItem = z.output<typeof notificationStatusItemSchema>;
export type AttendanceAnswerItem = z.output<typeof attendanceAnswerItemSchema>;
export type CallbackBatch = z.output<typeof callbackBatchSchema>;

/** How many items a batch carries, whatever its type. */
export function callbackBatchSize(batch: CallbackBatch): number {
  return batch.type === 'notification.status' ? batch.events.length : batch.answers.length;
}

/** The status items of a batch (none in a batch of another type). */
export function statusEventsOf(batch: CallbackBatch): NotificationStatusItem[] {
  return batch.type === 'notification.status' ? batch.events : [];
}
