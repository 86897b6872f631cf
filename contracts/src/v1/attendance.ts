import { z } from 'zod';
import { phoneSchema } from './phone';
import { dateTimeSchema, idSchema, nonBlankText, refIdSchema, sourceSchema } from './primitives';

/**
 * A recipient's answer to a meeting that asks for confirmation (xác nhận tham dự), published on
 * the attendance topic keyed by meeting; the latest `at` per meeting and person wins.
 */
export const ATTENDANCE_ANSWERS = ['attending', 'absent', 'delegate'] as const;
export type AttendanceAnswer = (typeof ATTENDANCE_ANSWERS)[number];

/** Vietnamese labels, as the page and the console show them. */
export const ATTENDANCE_LABELS: Readonly<Record<AttendanceAnswer | 'pending', string>> = {
  attending: 'Tham dự',
  absent: 'Vắng mặt',
  delegate: 'Cử người dự thay',
  pending: 'Chưa xác nhận',
};

/** How the answer came: the personal link today; a calendar REPLY later. */
export const ATTENDANCE_CHANNELS = ['link', 'calendar'] as const;

export const delegateSchema = z.strictObject({
  name: nonBlankText(200),
  title: nonBlankText(200).optional(),
  phone: phoneSchema.optional(),
});

/** The answer itself, without who owns the meeting: shared with the callback batch item. */
export const attendanceAnswerFields = {
  meetingId: idSchema,
  personId: refIdSchema,
  answer: z.enum(ATTENDANCE_ANSWERS),
  reason: nonBlankText(1000).optional(),
  delegate: delegateSchema.optional(),
  channel: z.enum(ATTENDANCE_CHANNELS),
  at: dateTimeSchema,
};

/** A reason goes with absent, a delegate with delegate and only with it. */
export function checkAttendanceAnswer(value: { answer: AttendanceAnswer; reason?: string | undefined; delegate?: unknown }, ctx: z.RefinementCtx): void {
  if (value.answer === 'absent' && value.reason === undefined) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'required when the answer is absent' });
  if (value.answer === 'delegate' && value.delegate === undefined) ctx.addIssue({ code: 'custom', path: ['delegate'], message: 'required when the answer is delegate' });
  if (value.answer !== 'delegate' && value.delegate !== undefined) ctx.addIssue({ code: 'custom', path: ['delegate'], message: 'only with the answer delegate' });
}

export const attendanceAnsweredSchema = z
  .strictObject({
    type: z.literal('attendance.answered'),
    /** The sending system that owns the meeting: meeting ids are the senders' to choose. */
    source: sourceSchema,
    ...attendanceAnswerFields,
  })
  .superRefine(checkAttendanceAnswer)
  .meta({ title: 'Xác nhận tham dự / Attendance answered', description: "A recipient's answer to a meeting invitation that requires confirmation." });

export type AttendanceAnswered = z.infer<typeof attendanceAnsweredSchema>;
