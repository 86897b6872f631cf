import { z } from 'zod';
import {
  channelSchema,
  e164Schema,
  idSchema,
  inlinePersonSchema,
  nonBlankText,
  REF_ID_PATTERN,
  refIdSchema,
} from '@gateway/contracts';

/**
 * A person in the directory is an inline person (same id rules, same phone and email rules, so
 * a directory entry and an event's inline entry with the same id describe the same person) plus
 * `active`, which lets an office drop a person from every group expansion without losing the record.
 */
export const directoryPersonSchema = inlinePersonSchema
  .extend({
    active: z
      .boolean()
      .optional()
      .meta({
        title: 'Còn nhận thông báo / Active',
        description: 'false: kept in the directory but skipped when a group or a person: reference is resolved. Absent means active.',
      }),
  })
  .meta({ title: 'Người trong danh bạ / Directory person' });

export type DirectoryPerson = z.output<typeof directoryPersonSchema>;

/** Beyond this a group is a mailing list of the whole country; split it into nested groups. */
const MAX_GROUP_MEMBERS = 50_000;
const MAX_NESTED_GROUPS = 1_000;

function uniqueIds(max: number) {
  return z
    .array(refIdSchema)
    .max(max)
    .superRefine((ids, ctx) => {
      const seen = new Map<string, number>();
      ids.forEach((id, index) => {
        const first = seen.get(id);
        if (first === undefined) seen.set(id, index);
        else ctx.addIssue({ code: 'custom', path: [index], message: `lists "${id}" again (first at [${first}])`, input: id });
      });
    });
}

export const directoryGroupSchema = z
  .strictObject({
    id: refIdSchema.meta({ title: 'Mã nhóm / Group id', examples: ['bch-thanh-uy'] }),
    name: nonBlankText(200).meta({ title: 'Tên nhóm / Group name', examples: ['Ban Chấp hành Đảng bộ thành phố'] }),
    description: nonBlankText(1000).optional(),
    // Order is kept: official lists of thành phần go by rank, and readers expect that order back.
    members: uniqueIds(MAX_GROUP_MEMBERS)
      .default([])
      .meta({ title: 'Thành viên / Member person ids' }),
    groups: uniqueIds(MAX_NESTED_GROUPS)
      .default([])
      .meta({ title: 'Nhóm con / Nested group ids', description: 'Every member of these groups is a member of this one.' }),
  })
  .superRefine((group, ctx) => {
    group.groups.forEach((id, index) => {
      if (id === group.id) ctx.addIssue({ code: 'custom', path: ['groups', index], message: 'a group cannot contain itself', input: id });
    });
  })
  .meta({ title: 'Nhóm người nhận / Directory group' });

export type DirectoryGroup = z.output<typeof directoryGroupSchema>;

/** What a group holds, without its name: all resolution needs. */
export interface GroupMembers {
  members: string[];
  groups: string[];
}

export interface GroupSummary {
  id: string;
  name: string;
  description?: string;
  memberCount: number;
  groupCount: number;
}

export interface PageRequest {
  /** The last id of the previous page; absent for the first page. */
  cursor?: string;
  limit: number;
}

export interface Page<T> {
  items: T[];
  /** Present when more items follow; pass it back as `cursor`. */
  nextCursor?: string;
}

export const MAX_PAGE_LIMIT = 1_000;

export function isDirectoryId(value: string): boolean {
  return value.length <= 128 && REF_ID_PATTERN.test(value);
}

/**
 * Records read back from a store were validated when written; this cheaper check (no phone
 * parsing) guards against hand edits in Redis, at a cost that stays small for 10,000 people.
 * Unknown fields are dropped rather than refused so an older reader survives a newer writer.
 */
export const storedPersonSchema = z.object({
  id: z.string().regex(REF_ID_PATTERN),
  name: z.string().min(1),
  title: z.string().optional(),
  unit: z.string().optional(),
  phone: e164Schema.optional(),
  email: z.string().optional(),
  userId: idSchema.optional(),
  channels: z.array(channelSchema).optional(),
  active: z.boolean().optional(),
});

export const storedGroupMetaSchema = z.object({
  id: z.string().regex(REF_ID_PATTERN),
  name: z.string().min(1),
  description: z.string().optional(),
});

export type StoredGroupMeta = z.output<typeof storedGroupMetaSchema>;

/** Drops absent optional fields so a stored record and a re-read one compare equal. */
export function compactPerson(person: DirectoryPerson): DirectoryPerson {
  const out: DirectoryPerson = { id: person.id, name: person.name };
  if (person.title !== undefined) out.title = person.title;
  if (person.unit !== undefined) out.unit = person.unit;
  if (person.phone !== undefined) out.phone = person.phone;
  if (person.email !== undefined) out.email = person.email;
  if (person.userId !== undefined) out.userId = person.userId;
  if (person.channels !== undefined) out.channels = [...person.channels];
  if (person.active !== undefined) out.active = person.active;
  return out;
}

export function groupMeta(group: DirectoryGroup): StoredGroupMeta {
  return group.description === undefined
    ? { id: group.id, name: group.name }
    : { id: group.id, name: group.name, description: group.description };
}
