import { z } from 'zod';
import { whenPresent } from './primitives';

/** Độ khẩn, least to most urgent; the index is the rank workers prioritize by. */
export const URGENCIES = ['thuong', 'khan', 'thuong-khan', 'hoa-toc'] as const;
export type Urgency = (typeof URGENCIES)[number];

/** Độ mật, least to most secret. */
export const SECRECY_LEVELS = ['thuong', 'mat', 'toi-mat', 'tuyet-mat'] as const;
export type Secrecy = (typeof SECRECY_LEVELS)[number];

export const URGENCY_LABELS: Readonly<Record<Urgency, string>> = {
  thuong: 'Thường',
  khan: 'Khẩn',
  'thuong-khan': 'Thượng khẩn',
  'hoa-toc': 'Hỏa tốc',
};

export const SECRECY_LABELS: Readonly<Record<Secrecy, string>> = {
  thuong: 'Thường',
  mat: 'Mật',
  'toi-mat': 'Tối mật',
  'tuyet-mat': 'Tuyệt mật',
};

export const URGENCY_RANK: Readonly<Record<Urgency, number>> = { thuong: 0, khan: 1, 'thuong-khan': 2, 'hoa-toc': 3 };
export const SECRECY_RANK: Readonly<Record<Secrecy, number>> = { thuong: 0, mat: 1, 'toi-mat': 2, 'tuyet-mat': 3 };

/** Negative when `a` is less urgent than `b`; sorts ascending, so reverse it for a work queue. */
export function compareUrgency(a: Urgency, b: Urgency): number {
  return URGENCY_RANK[a] - URGENCY_RANK[b];
}

/** Mật and above: SMS, email and push may carry only a notice and a link, never the content. */
export function isClassified(secrecy: Secrecy): boolean {
  return SECRECY_RANK[secrecy] >= SECRECY_RANK.mat;
}

/**
 * Vietnamese spellings sources actually send. Both tone-mark placements of "hoả/hỏa" occur in
 * the wild (old and new orthography), so both are listed. Matching is exact after case folding
 * rather than accent-insensitive, so a near-miss like "mát" is refused instead of becoming "mật".
 */
const URGENCY_ALIASES: Readonly<Record<string, Urgency>> = {
  thuong: 'thuong',
  'thường': 'thuong',
  khan: 'khan',
  'khẩn': 'khan',
  'thuong-khan': 'thuong-khan',
  'thuong khan': 'thuong-khan',
  'thượng khẩn': 'thuong-khan',
  'hoa-toc': 'hoa-toc',
  'hoa toc': 'hoa-toc',
  'hỏa tốc': 'hoa-toc',
  'hoả tốc': 'hoa-toc',
};

const SECRECY_ALIASES: Readonly<Record<string, Secrecy>> = {
  thuong: 'thuong',
  'thường': 'thuong',
  mat: 'mat',
  'mật': 'mat',
  'toi-mat': 'toi-mat',
  'toi mat': 'toi-mat',
  'tối mật': 'toi-mat',
  'tuyet-mat': 'tuyet-mat',
  'tuyet mat': 'tuyet-mat',
  'tuyệt mật': 'tuyet-mat',
};

/** NFC first: the same word arrives precomposed or decomposed depending on the sender's keyboard. */
function fold(value: string): string {
  return value.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('vi');
}

function lookup<T extends string>(aliases: Readonly<Record<string, T>>, value: string): T | undefined {
  const key = fold(value);
  return Object.prototype.hasOwnProperty.call(aliases, key) ? aliases[key] : undefined;
}

export function normalizeUrgency(value: string): Urgency | undefined {
  return lookup(URGENCY_ALIASES, value);
}

export function normalizeSecrecy(value: string): Secrecy | undefined {
  return lookup(SECRECY_ALIASES, value);
}

const URGENCY_MESSAGE =
  'must be one of thuong, khan, thuong-khan, hoa-toc (or the Vietnamese "Thường", "Khẩn", "Thượng khẩn", "Hỏa tốc")';
const SECRECY_MESSAGE =
  'must be one of thuong, mat, toi-mat, tuyet-mat (or the Vietnamese "Thường", "Mật", "Tối mật", "Tuyệt mật")';

/** Canonical slugs only: for messages our own services produce. */
export const urgencySchema = z.enum(URGENCIES, { error: whenPresent('must be one of thuong, khan, thuong-khan, hoa-toc') });
export const secrecySchema = z.enum(SECRECY_LEVELS, { error: whenPresent('must be one of thuong, mat, toi-mat, tuyet-mat') });

/** Input from sources: slugs or Vietnamese labels, normalized to the slug. */
export const urgencyInputSchema = z
  .string({ error: whenPresent(URGENCY_MESSAGE) })
  .transform((value, ctx) => {
    const urgency = normalizeUrgency(value);
    if (urgency === undefined) {
      ctx.issues.push({ code: 'custom', message: URGENCY_MESSAGE, input: value });
      return z.NEVER;
    }
    return urgency;
  })
  .meta({
    title: 'Độ khẩn / Urgency',
    description:
      'Độ khẩn của văn bản hoặc cuộc họp. Canonical values: thuong, khan, thuong-khan, hoa-toc. Vietnamese labels ("Thường", "Khẩn", "Thượng khẩn", "Hỏa tốc" or "Hoả tốc") are accepted case-insensitively and normalized to the slug.',
    examples: ['hoa-toc', 'Thượng khẩn'],
  });

export const secrecyInputSchema = z
  .string({ error: whenPresent(SECRECY_MESSAGE) })
  .transform((value, ctx) => {
    const secrecy = normalizeSecrecy(value);
    if (secrecy === undefined) {
      ctx.issues.push({ code: 'custom', message: SECRECY_MESSAGE, input: value });
      return z.NEVER;
    }
    return secrecy;
  })
  .meta({
    title: 'Độ mật / Secrecy',
    description:
      'Độ mật của văn bản. Canonical values: thuong, mat, toi-mat, tuyet-mat. Vietnamese labels ("Thường", "Mật", "Tối mật", "Tuyệt mật") are accepted case-insensitively and normalized to the slug. For mật and above, SMS, email and push carry only a notice and a link.',
    examples: ['mat', 'Tối mật'],
  });

/** Văn bản đến (incoming) or đi (outgoing). */
export const DIRECTIONS = ['den', 'di'] as const;
export type Direction = (typeof DIRECTIONS)[number];
export const DIRECTION_LABELS: Readonly<Record<Direction, string>> = { den: 'Văn bản đến', di: 'Văn bản đi' };

export const CHANNELS = ['sms', 'email', 'push', 'inapp'] as const;
export type Channel = (typeof CHANNELS)[number];
export const channelSchema = z.enum(CHANNELS, { error: whenPresent('must be one of sms, email, push, inapp') });
