import type { DirectoryGroup, DirectoryPerson, GroupMembers, GroupSummary, Page, PageRequest } from './model';

/**
 * Where the directory lives. Records are validated before they reach a store; a store keeps
 * them as given and answers in bulk, because one conference can name groups of thousands.
 *
 * Consistency between people and groups: deleting a person removes them from every group, and
 * deleting a group removes it from every group that nests it. A store does not check that a
 * group's members exist (the HTTP layer and the importer do, before writing), so resolution
 * still treats an id with no record as "not in the directory" and reports it instead of failing.
 */
export interface DirectoryStore {
  /** Replaces the whole record. */
  upsertPerson(person: DirectoryPerson): Promise<{ created: boolean }>;
  upsertPeople(people: readonly DirectoryPerson[]): Promise<{ created: number; updated: number }>;
  getPerson(id: string): Promise<DirectoryPerson | undefined>;
  /** Only the ids found; duplicates in `ids` are fine. */
  getPeople(ids: readonly string[]): Promise<Map<string, DirectoryPerson>>;
  /** Also removes the person from every group. False when there was no such person. */
  deletePerson(id: string): Promise<boolean>;
  /** In id order (bytewise), so a cursor stays valid while others write. */
  listPeople(page: PageRequest): Promise<Page<DirectoryPerson>>;
  existingPersonIds(ids: readonly string[]): Promise<Set<string>>;

  /** Replaces name, description, members and nested groups; members keep the given order. */
  upsertGroup(group: DirectoryGroup): Promise<{ created: boolean }>;
  getGroup(id: string): Promise<DirectoryGroup | undefined>;
  /** Also removes the group from every group that nests it. False when there was no such group. */
  deleteGroup(id: string): Promise<boolean>;
  listGroups(page: PageRequest): Promise<Page<GroupSummary>>;
  existingGroupIds(ids: readonly string[]): Promise<Set<string>>;
  getGroupMembers(groupId: string): Promise<GroupMembers | undefined>;
  /** One answer for many groups: resolution loads each nesting level in one call. */
  getGroupsMembers(groupIds: readonly string[]): Promise<Map<string, GroupMembers>>;
  /**
   * Appends the people not already in the group, after the current last member. Returns how
   * many were added, or undefined when the group does not exist (nothing is created).
   */
  addGroupMembers(groupId: string, personIds: readonly string[]): Promise<number | undefined>;
}

/** What resolution needs: reads only, in bulk. */
export type DirectoryReader = Pick<DirectoryStore, 'getPeople' | 'getGroupsMembers'>;
