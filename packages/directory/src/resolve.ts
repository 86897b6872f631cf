import { parseRecipientRef, type Channel, type InlinePerson, type Recipient } from '@gateway/contracts';
import type { DirectoryPerson, GroupMembers } from './model';
import type { DirectoryReader } from './store';

export interface ResolvedPerson {
  id: string;
  name: string;
  title?: string;
  unit?: string;
  phone?: string;
  email?: string;
  userId?: string;
  /** Preferences; absent means every channel the person has contact data for. */
  channels?: Channel[];
  /** The event entry that first reached the person: "inline", "person:<id>" or "group:<id>". */
  via: string;
  /** Where the contact data came from; with both, the event's fields win. */
  source: 'inline' | 'directory' | 'inline+directory';
}

export interface UnresolvedRecipient {
  ref: string;
  reason: string;
}

export interface ResolveResult {
  people: ResolvedPerson[];
  unresolved: UnresolvedRecipient[];
}

export interface ResolveOptions {
  /** Nesting deeper than this is not expanded (and reported); bounds the round trips per event. */
  maxDepth?: number;
}

const DEFAULT_MAX_GROUP_DEPTH = 16;

export const UNRESOLVED_REASONS = {
  notARef: 'không phải tham chiếu person:<id> hoặc group:<id> / not a person:<id> or group:<id> reference',
  personMissing: 'không có trong danh bạ / not in the directory',
  personInactive: 'đã ngừng nhận thông báo trong danh bạ / inactive in the directory',
  groupMissing: 'không có nhóm này trong danh bạ / no such group in the directory',
} as const;

function memberMissing(groupId: string): string {
  return `thành viên nhóm ${groupId} nhưng không có trong danh bạ / member of group:${groupId} but not in the directory`;
}

function nestedMissing(groupId: string): string {
  return `nhóm con của ${groupId} nhưng không có trong danh bạ / nested in group:${groupId} but not in the directory`;
}

function tooDeep(depth: number): string {
  return `lồng quá ${depth} cấp, không mở rộng / nested more than ${depth} levels deep, not expanded`;
}

interface Occurrence {
  via: string;
  /** Set when the person was named directly, so an inactive or missing one is reported under that ref. */
  direct: boolean;
  /** The group that contained the person, when reached only through groups. */
  group?: string;
}

/**
 * Loads every group reachable from `roots`, one nesting level per store call, so the round
 * trips grow with the depth of nesting, never with the number of groups or people.
 */
async function loadGroups(roots: string[], store: DirectoryReader, maxDepth: number): Promise<{ groups: Map<string, GroupMembers>; asked: Set<string> }> {
  const groups = new Map<string, GroupMembers>();
  const asked = new Set<string>();
  let level = [...new Set(roots)];
  for (let depth = 0; depth <= maxDepth && level.length > 0; depth++) {
    for (const id of level) asked.add(id);
    const found = await store.getGroupsMembers(level);
    const next = new Set<string>();
    for (const [id, members] of found) {
      groups.set(id, members);
      for (const nested of members.groups) if (!asked.has(nested)) next.add(nested);
    }
    level = [...next];
  }
  return { groups, asked };
}

function fromInline(inline: InlinePerson, via: string, directory: DirectoryPerson | undefined): ResolvedPerson {
  // Field by field: the event may give a newer phone while the directory still has the email.
  const base: Omit<ResolvedPerson, 'via' | 'source'> = directory === undefined ? { id: inline.id, name: inline.name } : withoutActive(directory);
  const merged: ResolvedPerson = { ...base, id: inline.id, name: inline.name, via, source: directory === undefined ? 'inline' : 'inline+directory' };
  if (inline.title !== undefined) merged.title = inline.title;
  if (inline.unit !== undefined) merged.unit = inline.unit;
  if (inline.phone !== undefined) merged.phone = inline.phone;
  if (inline.email !== undefined) merged.email = inline.email;
  if (inline.userId !== undefined) merged.userId = inline.userId;
  if (inline.channels !== undefined) merged.channels = [...inline.channels];
  return merged;
}

function withoutActive(person: DirectoryPerson): Omit<ResolvedPerson, 'via' | 'source'> {
  const { active: _active, ...rest } = person;
  return rest.channels === undefined ? rest : { ...rest, channels: [...rest.channels] };
}

/**
 * An event's recipients as people: inline entries, `person:` references and the members of
 * `group:` references (nested groups included, cycles cut), each person once, in order of
 * first appearance (a group's own members before those of its nested groups).
 *
 * - Same id inline and in the directory: one person, the event's fields win and the directory
 *   fills in what the event left out. An inline person is delivered even when the directory
 *   marks them inactive: the source named them explicitly, with contact data, for this event.
 * - Inactive directory people are skipped; when named directly (`person:<id>`) that is reported.
 * - Ids with no record (a dangling group member, a typo in a reference) are reported in
 *   `unresolved` with the reason; they never fail the whole event.
 */
export async function resolveRecipients(entries: readonly Recipient[], store: DirectoryReader, options: ResolveOptions = {}): Promise<ResolveResult> {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_GROUP_DEPTH;
  const unresolved = new Map<string, string>();
  const report = (ref: string, reason: string): void => {
    if (!unresolved.has(ref)) unresolved.set(ref, reason);
  };

  const inline = new Map<string, InlinePerson>();
  const rootGroups: string[] = [];
  for (const entry of entries) {
    if (typeof entry !== 'string') {
      if (!inline.has(entry.id)) inline.set(entry.id, entry);
      continue;
    }
    const ref = parseRecipientRef(entry);
    if (ref?.kind === 'group') rootGroups.push(ref.id);
  }
  const { groups, asked } = await loadGroups(rootGroups, store, maxDepth);

  const order = new Map<string, Occurrence>();
  const expanded = new Set<string>();
  const visit = (id: string, occurrence: Occurrence): void => {
    const seen = order.get(id);
    if (seen === undefined) order.set(id, occurrence);
    else if (occurrence.direct && !seen.direct) seen.direct = true;
  };
  const expand = (groupId: string, via: string, parent: string | undefined): void => {
    if (expanded.has(groupId)) return;
    expanded.add(groupId);
    const members = groups.get(groupId);
    if (members === undefined) {
      const ref = `group:${groupId}`;
      if (!asked.has(groupId)) report(ref, tooDeep(maxDepth));
      else report(ref, parent === undefined ? UNRESOLVED_REASONS.groupMissing : nestedMissing(parent));
      return;
    }
    for (const person of members.members) visit(person, { via, direct: false, group: groupId });
    for (const nested of members.groups) expand(nested, via, groupId);
  };

  for (const entry of entries) {
    if (typeof entry !== 'string') {
      visit(entry.id, { via: 'inline', direct: true });
      continue;
    }
    const ref = parseRecipientRef(entry);
    if (ref === undefined) report(entry, UNRESOLVED_REASONS.notARef);
    else if (ref.kind === 'person') visit(ref.id, { via: entry, direct: true });
    else expand(ref.id, entry, undefined);
  }

  const directory = await store.getPeople([...order.keys()]);
  const people: ResolvedPerson[] = [];
  for (const [id, occurrence] of order) {
    const record = directory.get(id);
    const given = inline.get(id);
    if (given !== undefined) {
      people.push(fromInline(given, occurrence.via, record));
    } else if (record === undefined) {
      report(`person:${id}`, occurrence.direct || occurrence.group === undefined ? UNRESOLVED_REASONS.personMissing : memberMissing(occurrence.group));
    } else if (record.active === false) {
      // Deactivating is how an office takes someone out of every group at once; only a direct
      // reference is worth reporting.
      if (occurrence.direct) report(`person:${id}`, UNRESOLVED_REASONS.personInactive);
    } else {
      people.push({ ...withoutActive(record), via: occurrence.via, source: 'directory' });
    }
  }
  return { people, unresolved: [...unresolved].map(([ref, reason]) => ({ ref, reason })) };
}
