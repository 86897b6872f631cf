import { z } from 'zod';
import { CHANNELS, DELIVERY_STATES, idSchema, URGENCIES } from '@gateway/contracts';
import { SORTS, RESENDABLE_STATES } from '../domain/notification';
import type { JobFilter } from '../data-access/resend-job-store';

/** "failed,dead" or ["failed","dead"]: one or more values of a closed list; an error names the field and the value. */
function listOf<T extends string>(values: readonly T[], what = `one or more of ${values.join(', ')} (comma-separated)`) {
  return z
    .union([z.string(), z.array(z.string())], { error: `must be ${what}` })
    .transform((v, ctx) => {
      const items = (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean);
      const unknown = items.filter((item) => !(values as readonly string[]).includes(item));
      if (items.length === 0 || unknown.length) {
        ctx.issues.push({ code: 'custom', input: v, message: `${unknown.length ? `${unknown.map((u) => JSON.stringify(u)).join(', ')}: ` : ''}must be ${what}` });
        return z.NEVER;
      }
      return items as T[];
    });
}

const instant = z
  .string()
  .max(64)
  .refine((v) => /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2}))?$/.test(v) && !Number.isNaN(Date.parse(v)), { error: 'must be an ISO 8601 date or time with a UTC offset, e.g. 2025-09-29T08:00:00+07:00' });

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

export const searchQuerySchema = z
  .strictObject({
    ...filterFields,
    page: z.coerce.number<string>().int().min(1).max(100_000).default(1),
    pageSize: z.coerce.number<string>().int().min(0).max(500).default(50),
    sort: z.enum(SORTS, { error: `must be one of ${SORTS.join(', ')}` }).default('-updatedAt'),
  })
  .refine(ordered, { path: ['to'], error: 'must not be before "from"' });

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
