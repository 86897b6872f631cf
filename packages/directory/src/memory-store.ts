import { compactPerson, groupMeta, type DirectoryGroup, type DirectoryPerson, type GroupMembers, type Page, type PageRequest, type StoredGroupMeta } from './model';
import type { DirectoryStore } from './store';

interface GroupRecord {
  meta: StoredGroupMeta;
  members: string[];
  groups: string[];
}

/** Plain UTF-16 order equals Redis's bytewise order for ids, which are ASCII only. */
function byId(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function page<T>(sortedIds: string[], request: PageRequest, load: (id: string) => T): Page<T> {
  const start = request.cursor === undefined ? 0 : firstAfter(sortedIds, request.cursor);
  const ids = sortedIds.slice(start, start + request.limit);
  const items = ids.map(load);
  const last = ids[ids.length - 1];
  return start + request.limit < sortedIds.length && last !== undefined ? { items, nextCursor: last } : { items };
}

function firstAfter(sortedIds: string[], cursor: string): number {
  let low = 0;
  let high = sortedIds.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sortedIds[mid] ?? '') <= cursor) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * The directory in process memory: for unit tests and the embedded single-process mode.
 * Records are copied in and out so a caller mutating a result cannot change the directory.
 */
export function createMemoryDirectoryStore(): DirectoryStore {
  const people = new Map<string, DirectoryPerson>();
  const groups = new Map<string, GroupRecord>();

  const toGroup = (record: GroupRecord): DirectoryGroup => ({ ...record.meta, members: [...record.members], groups: [...record.groups] });

  return {
    async upsertPerson(person) {
      const created = !people.has(person.id);
      people.set(person.id, compactPerson(person));
      return { created };
    },
    async upsertPeople(list) {
      let created = 0;
      for (const person of list) {
        if (!people.has(person.id)) created++;
        people.set(person.id, compactPerson(person));
      }
      return { created, updated: list.length - created };
    },
    async getPerson(id) {
      const person = people.get(id);
      return person === undefined ? undefined : compactPerson(person);
    },
    async getPeople(ids) {
      const found = new Map<string, DirectoryPerson>();
      for (const id of ids) {
        const person = people.get(id);
        if (person !== undefined) found.set(id, compactPerson(person));
      }
      return found;
    },
    async deletePerson(id) {
      const existed = people.delete(id);
      for (const record of groups.values()) record.members = record.members.filter((member) => member !== id);
      return existed;
    },
    async listPeople(request) {
      return page([...people.keys()].sort(byId), request, (id) => compactPerson(people.get(id) as DirectoryPerson));
    },
    async existingPersonIds(ids) {
      return new Set(ids.filter((id) => people.has(id)));
    },

    async upsertGroup(group) {
      const created = !groups.has(group.id);
      groups.set(group.id, { meta: groupMeta(group), members: [...group.members], groups: [...group.groups] });
      return { created };
    },
    async getGroup(id) {
      const record = groups.get(id);
      return record === undefined ? undefined : toGroup(record);
    },
    async deleteGroup(id) {
      const existed = groups.delete(id);
      for (const record of groups.values()) record.groups = record.groups.filter((nested) => nested !== id);
      return existed;
    },
    async listGroups(request) {
      return page([...groups.keys()].sort(byId), request, (id) => {
        const record = groups.get(id) as GroupRecord;
        return { ...record.meta, memberCount: record.members.length, groupCount: record.groups.length };
      });
    },
    async existingGroupIds(ids) {
      return new Set(ids.filter((id) => groups.has(id)));
    },
    async getGroupMembers(groupId) {
      const record = groups.get(groupId);
      return record === undefined ? undefined : { members: [...record.members], groups: [...record.groups] };
    },
    async getGroupsMembers(groupIds) {
      const found = new Map<string, GroupMembers>();
      for (const id of groupIds) {
        const record = groups.get(id);
        if (record !== undefined) found.set(id, { members: [...record.members], groups: [...record.groups] });
      }
      return found;
    },
    async addGroupMembers(groupId, personIds) {
      const record = groups.get(groupId);
      if (record === undefined) return undefined;
      const present = new Set(record.members);
      let added = 0;
      for (const id of personIds) {
        if (present.has(id)) continue;
        present.add(id);
        record.members.push(id);
        added++;
      }
      return added;
    },
  };
}
