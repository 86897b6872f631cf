import { z } from 'zod';
import { idSchema, sourceSchema } from './primitives';

export const SUBJECT_KINDS = ['meeting', 'document'] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number];

/**
 * What a channel message is about: the sender's meeting or document, and for a meeting the calendar
 * SEQUENCE the message was rendered for. A worker compares it with the subject's latest version
 * right before sending, so a message for an older version never arrives after the newer one.
 */
export const subjectRefSchema = z.strictObject({
  kind: z.enum(SUBJECT_KINDS),
  /** Two senders may both have a meeting "H-2025-001": the subject is the sender's. */
  source: sourceSchema,
  id: idSchema,
  /** A meeting's calendar SEQUENCE (0 for the invitation, one more per change or cancellation). */
  version: z.int().min(0).optional(),
});

export type SubjectRef = z.output<typeof subjectRefSchema>;

/**
 * The latest known state of a subject, written by the renderer and read by the channel workers
 * (packages/delivery-ledger, SubjectVersions): a meeting's highest SEQUENCE, whether a document
 * was recalled. Parsed on every read.
 */
export const subjectLatestSchema = z.strictObject({
  version: z.int().min(0).optional(),
  recalled: z.boolean().optional(),
});

export type SubjectLatest = z.output<typeof subjectLatestSchema>;
