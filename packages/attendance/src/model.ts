import { z } from 'zod';

/** One person invited to a meeting, as the renderer resolved them: the attendance report lists them all. */
export const inviteeSchema = z.object({
  personId: z.string().min(1),
  name: z.string().min(1),
  title: z.string().optional(),
  unit: z.string().optional(),
});
export type Invitee = z.infer<typeof inviteeSchema>;

/**
 * What the attendance page shows of a meeting: the latest version the renderer rendered
 * (`version` is the meeting's calendar SEQUENCE; a lower one never replaces a higher one).
 */
export const meetingSummarySchema = z.object({
  source: z.string().min(1),
  meetingId: z.string().min(1),
  version: z.number().int().nonnegative(),
  title: z.string(),
  start: z.iso.datetime({ offset: true }),
  end: z.iso.datetime({ offset: true }).optional(),
  /** The time as the invitation printed it ("từ 08 giờ 00 đến 11 giờ 30, Thứ Hai, ngày 29/9/2025"): formatted once, by the renderer. */
  timeText: z.string(),
  location: z.string().optional(),
  onlineLink: z.string().optional(),
  chair: z.string().optional(),
  cancelled: z.boolean(),
  confirmationRequired: z.boolean(),
  /** When the personal links stop working: the meeting's end (or start + a default duration). */
  expiresAt: z.iso.datetime({ offset: true }),
  invitees: z.array(inviteeSchema),
});
export type MeetingSummary = z.infer<typeof meetingSummarySchema>;

/** A short code and who it is for; the code is an HMAC of the binding (see token.ts). */
export const linkRecordSchema = z.object({
  code: z.string().min(1),
  source: z.string().min(1),
  meetingId: z.string().min(1),
  personId: z.string().min(1),
  expiresAt: z.iso.datetime({ offset: true }),
});
export type LinkRecord = z.infer<typeof linkRecordSchema>;

/** How long after a meeting ends its links still answer "expired" (410) rather than "unknown" (404). */
export const EXPIRED_LINK_RETENTION_MS = 30 * 24 * 3600_000;
/** How long answers are kept after their last change. */
export const ANSWER_RETENTION_MS = 180 * 24 * 3600_000;
/** A meeting without an end time is taken to last this long. */
export const DEFAULT_MEETING_DURATION_MS = 4 * 3600_000;

export function meetingExpiry(start: string, end: string | undefined): string {
  return new Date(end !== undefined ? Date.parse(end) : Date.parse(start) + DEFAULT_MEETING_DURATION_MS).toISOString();
}
