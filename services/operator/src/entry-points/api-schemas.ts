import { z } from 'zod';
import { CHANNELS, dateTimeSchema, DELIVERY_STATES, idSchema, URGENCIES } from '@gateway/contracts';
import { SORTS, RESENDABLE_STATES } from '../domain/notification';
import type { JobFilter } from '../data-access/resend-job-store';

/** "failed,dead" or ["failed","dead"]: one or more values of a closed list; an error names the field and the value. */
function listOf<T extends string>(values: readonly T[], expected = `must be one or more of ${values.join(', ')} (comma-separated)`) {
  return z
    .union([z.string(), z.array(z.string())], { error: expected })
    .transform((v, ctx) => {
      const items = (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean);
      const unknown = items.filter((item) => !(values as readonly string[]).includes(item));
      if (items.length === 0 || unknown.length) {
        ctx.issues.push({ code: 'custom', input: v, message: `${unknown.length ? `${unknown.map((u) => JSON.stringify(u)).join(', ')}: ` : ''}${expected}` });
        return z.NEVER;
      }
      return items as T[];
    });
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2}))?$/;
const instantOf = (message: string) =>
  z
    .string({ error: message })
    .max(64, { error: message })
    .refine((v) => ISO_INSTANT.test(v) && !Number.isNaN(Date.parse(v)), { error: message });
const instant = instantOf('must be an ISO 8601 date or time with a UTC offset, e.g. 2025-09-29T08:00:00+07:00');

const filterFields = {
  status: listOf(DELIVERY_STATES).optional(),
  channel: listOf(CHANNELS).optional(),
  urgency: listOf(URGENCIES).optional(),
  eventId: idSchema.optional(),
  source: z.string().min(1).max(64).optional(),
  recipient: z.string().trim().min(1).max(200).optional(),
  from: instant.optional(),
  to: instant.optional(),
};

const ordered = (f: { from?: string; to?: string }) => !(f.from && f.to && Date.parse(f.from) > Date.parse(f.to));

/*
 * The search is what the console's lists and overview ask for, and its errors reach a clerk as
 * they are: every message of the search query is Vietnamese (the console names the field).
 */
const vi = {
  list: (values: readonly string[]) => `phải là một hoặc nhiều giá trị trong: ${values.join(', ')} (cách nhau bằng dấu phẩy)`,
  instant: 'phải là ngày hoặc ngày giờ theo ISO 8601 có múi giờ, vd. 2025-09-29 hoặc 2025-09-29T08:00:00+07:00',
  id: 'phải có từ 1 đến 128 ký tự: chữ không dấu, chữ số, ".", "_", ":" hoặc "-"',
  text: (max: number) => `phải có từ 1 đến ${max} ký tự`,
  whole: (min: number, max: number) => `phải là số nguyên từ ${min} đến ${max}`,
};
const wholeNumber = (min: number, max: number, fallback: number) =>
  z.coerce
    .number<string>({ error: vi.whole(min, max) })
    .int({ error: vi.whole(min, max) })
    .min(min, { error: vi.whole(min, max) })
    .max(max, { error: vi.whole(min, max) })
    .default(fallback);

export const ATTEMPTS = ['latest', 'all'] as const;

export const searchQuerySchema = z
  .strictObject(
    {
      status: listOf(DELIVERY_STATES, vi.list(DELIVERY_STATES)).optional(),
      channel: listOf(CHANNELS, vi.list(CHANNELS)).optional(),
      urgency: listOf(URGENCIES, vi.list(URGENCIES)).optional(),
      eventId: z.string({ error: vi.id }).regex(/^[A-Za-z0-9._:-]{1,128}$/, { error: vi.id }).optional(),
      source: z.string({ error: vi.text(64) }).min(1, { error: vi.text(64) }).max(64, { error: vi.text(64) }).optional(),
      recipient: z.string({ error: vi.text(200) }).trim().min(1, { error: vi.text(200) }).max(200, { error: vi.text(200) }).optional(),
      from: instantOf(vi.instant).optional(),
      to: instantOf(vi.instant).optional(),
      page: wholeNumber(1, 100_000, 1),
      pageSize: wholeNumber(0, 500, 50),
      sort: z.enum(SORTS, { error: `phải là một trong: ${SORTS.join(', ')}` }).default('-updatedAt'),
      /** latest: one row per chain (an original and its resends), its latest attempt; all: every message. */
      attempts: z.enum(ATTEMPTS, { error: 'phải là latest (mỗi tin một dòng, lần gửi mới nhất) hoặc all (mọi lần gửi)' }).default('latest'),
    },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? `không có tham số ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}` : undefined) },
  )
  .refine(ordered, { path: ['to'], error: 'không được trước thời điểm "from" (Từ)' });

const RESENDABLE = [...RESENDABLE_STATES];

export const jobBodySchema = z.strictObject({
  filter: z
    .strictObject({ ...filterFields, status: listOf(RESENDABLE, `only ${RESENDABLE.join(', ')}: a resend job takes messages that did not get through`).optional() })
    .refine(ordered, { path: ['to'], error: 'must not be before "from"' })
    .transform((f): JobFilter => ({ ...f, status: f.status ?? RESENDABLE })),
});

export const resendBodySchema = z.strictObject({
  phone: z.string().max(32).optional(),
  email: z.string().max(254).optional(),
  updateDirectory: z.boolean().optional(),
  requestId: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/, { error: 'must be 1 to 128 letters, digits, ".", "_", ":" or "-"' })
    .optional(),
});

export const auditQuerySchema = z
  .strictObject({
    actor: z.string().min(1).max(128).optional(),
    action: z.string().min(1).max(64).optional(),
    from: instant.optional(),
    to: instant.optional(),
    page: z.coerce.number<string>().int().min(1).max(100_000).default(1),
    pageSize: z.coerce.number<string>().int().min(1).max(500).default(50),
  })
  .refine(ordered, { path: ['to'], error: 'must not be before "from"' });

export const messageIdParam = z.string().regex(/^[A-Za-z0-9._:-]{1,256}$/, { error: 'must be a message id (letters, digits, ".", "_", ":" or "-")' });

/** Which dead-lettered callbacks: those of one key, optionally dead within [from, to]. */
export const callbackReplayBodySchema = z.strictObject({
  key: z.string().min(1).max(64),
  from: dateTimeSchema.optional(),
  to: dateTimeSchema.optional(),
});
export const callbackDeadQuerySchema = callbackReplayBodySchema;
