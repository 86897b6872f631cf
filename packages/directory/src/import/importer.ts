import { z } from 'zod';
import { isPlainObject, parseContract, parseInputContract, ROOT_PATH, type ContractIssue } from '@gateway/contracts';
import { isBlankRecord, parseCsv } from './csv';
import { directoryGroupSchema, directoryPersonSchema, isDirectoryId, type DirectoryGroup, type DirectoryPerson } from '../model';
import type { DirectoryStore } from '../store';

export interface ImportFieldError {
  field: string;
  message: string;
}

export interface RejectedRow {
  /** JSON imports only: which array the row is in. */
  section?: 'people' | 'groups';
  row: number;
  id?: string;
  errors: ImportFieldError[];
}

export interface ImportReport {
  /** People and groups written. */
  imported: number;
  people: { created: number; updated: number };
  groups: { created: number; updated: number };
  /** CSV only: people newly added to groups through the `groups` column. */
  memberships?: number;
  /** At most MAX_REPORTED_REJECTIONS rows; `rejectedCount` has the total. */
  rejected: RejectedRow[];
  rejectedCount: number;
  /** How `row` counts, so nobody has to guess whether the header is row 0, 1 or not counted. */
  rowNumbering: string;
}

export type ImportResult = { ok: true; report: ImportReport } | { ok: false; issues: ContractIssue[] };

const MAX_IMPORT_PEOPLE = 100_000;
const MAX_IMPORT_GROUPS = 10_000;
/** A file with thousands of bad rows has one systematic problem; the first rows show it. */
const MAX_REPORTED_REJECTIONS = 1_000;

const CSV_COLUMNS = ['id', 'name', 'title', 'unit', 'phone', 'email', 'userId', 'channels', 'groups'] as const;
type CsvColumn = (typeof CSV_COLUMNS)[number];

export const JSON_ROW_NUMBERING = 'position in the "people" or "groups" array, counted from 1';
export const CSV_ROW_NUMBERING = 'as a spreadsheet numbers rows: the header is row 1, so the first person is row 2';

const importSchema = z.strictObject({
  people: z.array(z.unknown()).max(MAX_IMPORT_PEOPLE).optional(),
  groups: z.array(z.unknown()).max(MAX_IMPORT_GROUPS).optional(),
});

/** Writes concurrently but bounded, so a 10,000-group import does not queue 10,000 transactions at once. */
const WRITE_CONCURRENCY = 32;

function shownId(raw: unknown): string | undefined {
  if (!isPlainObject(raw) || typeof raw.id !== 'string') return undefined;
  return raw.id.length > 140 ? `${raw.id.slice(0, 140)}…` : raw.id;
}

function toFieldErrors(issues: ContractIssue[]): ImportFieldError[] {
  return issues.map((issue) => ({ field: issue.path, message: issue.message }));
}

class Rejections {
  readonly rows: RejectedRow[] = [];
  count = 0;

  add(row: RejectedRow): void {
    this.count++;
    if (this.rows.length < MAX_REPORTED_REJECTIONS) this.rows.push(row);
  }
}

function duplicateMessage(firstRow: number): string {
  return `appears again; first at row ${firstRow} (each id once per import)`;
}

async function inBatches<T>(items: readonly T[], write: (item: T) => Promise<{ created: boolean }>): Promise<{ created: number; updated: number }> {
  let created = 0;
  for (let i = 0; i < items.length; i += WRITE_CONCURRENCY) {
    const results = await Promise.all(items.slice(i, i + WRITE_CONCURRENCY).map(write));
    created += results.filter((r) => r.created).length;
  }
  return { created, updated: items.length - created };
}

/**
 * Imports `{ people: [...], groups: [...] }`. Every valid row is written even when others are
 * rejected; the report says which rows were refused and why. A group must name people and
 * nested groups that exist in the directory or in this import: a typo would otherwise make a
 * group silently miss someone. A group naming a person whose row was rejected is rejected too,
 * and the reason points at that row. Importing the same file twice changes nothing.
 */
export async function importDirectory(store: DirectoryStore, input: unknown): Promise<ImportResult> {
  const shape = parseContract(importSchema, input);
  if (!shape.ok) return { ok: false, issues: shape.issues };
  const rawPeople = shape.value.people ?? [];
  const rawGroups = shape.value.groups ?? [];
  if (rawPeople.length === 0 && rawGroups.length === 0) {
    return { ok: false, issues: [{ path: ROOT_PATH, message: 'nothing to import: give "people", "groups" or both' }] };
  }
  const rejections = new Rejections();

  const people: DirectoryPerson[] = [];
  const personRow = new Map<string, number>();
  const rejectedPersonRow = new Map<string, number>();
  rawPeople.forEach((raw, index) => {
    const row = index + 1;
    const id = shownId(raw);
    const parsed = parseInputContract(directoryPersonSchema, raw);
    const errors = parsed.ok ? [] : toFieldErrors(parsed.issues);
    const first = id === undefined ? undefined : (personRow.get(id) ?? rejectedPersonRow.get(id));
    if (first !== undefined) errors.unshift({ field: 'id', message: duplicateMessage(first) });
    if (errors.length > 0 || !parsed.ok) {
      if (id !== undefined && !rejectedPersonRow.has(id) && !personRow.has(id)) rejectedPersonRow.set(id, row);
      rejections.add({ section: 'people', row, ...(id === undefined ? {} : { id }), errors });
      return;
    }
    personRow.set(parsed.value.id, row);
    people.push(parsed.value);
  });

  const candidates = new Map<string, { group: DirectoryGroup; row: number }>();
  const groupRow = new Map<string, number>();
  const groupErrors = new Map<string, ImportFieldError[]>();
  rawGroups.forEach((raw, index) => {
    const row = index + 1;
    const id = shownId(raw);
    const parsed = parseInputContract(directoryGroupSchema, raw);
    const errors = parsed.ok ? [] : toFieldErrors(parsed.issues);
    const first = id === undefined ? undefined : groupRow.get(id);
    if (first !== undefined) errors.unshift({ field: 'id', message: duplicateMessage(first) });
    if (id !== undefined && first === undefined) groupRow.set(id, row);
    if (errors.length > 0 || !parsed.ok) {
      rejections.add({ section: 'groups', row, ...(id === undefined ? {} : { id }), errors });
      return;
    }
    candidates.set(parsed.value.id, { group: parsed.value, row });
  });

  // Members: in this import or already in the directory (one store call for all of them).
  const memberIds = new Set<string>();
  for (const { group } of candidates.values()) for (const id of group.members) if (!personRow.has(id)) memberIds.add(id);
  const storedPeople = await store.existingPersonIds([...memberIds]);
  for (const { group } of candidates.values()) {
    group.members.forEach((id, index) => {
      if (personRow.has(id) || storedPeople.has(id)) return;
      const rejectedAt = rejectedPersonRow.get(id);
      const message =
        rejectedAt === undefined
          ? `no person "${id}" in the directory or in this import`
          : `person "${id}" is not imported: people row ${rejectedAt} was rejected`;
      pushError(groupErrors, group.id, { field: `members[${index}]`, message });
    });
  }
  for (const id of groupErrors.keys()) {
    const candidate = candidates.get(id);
    candidates.delete(id);
    if (candidate !== undefined) rejections.add({ section: 'groups', row: candidate.row, id, errors: groupErrors.get(id) ?? [] });
  }

  // Nested groups may come later in the same import; dropping one can invalidate a parent, so
  // repeat until nothing changes.
  const nestedIds = new Set<string>();
  for (const { group } of candidates.values()) for (const id of group.groups) nestedIds.add(id);
  const storedGroups = await store.existingGroupIds([...nestedIds]);
  for (let changed = true; changed; ) {
    changed = false;
    for (const [id, { group, row }] of candidates) {
      const errors: ImportFieldError[] = [];
      group.groups.forEach((nested, index) => {
        if (candidates.has(nested) || storedGroups.has(nested)) return;
        const rejectedAt = groupRow.get(nested);
        errors.push({
          field: `groups[${index}]`,
          message:
            rejectedAt === undefined
              ? `no group "${nested}" in the directory or in this import`
              : `group "${nested}" is not imported: groups row ${rejectedAt} was rejected`,
        });
      });
      if (errors.length === 0) continue;
      candidates.delete(id);
      rejections.add({ section: 'groups', row, id, errors });
      changed = true;
    }
  }

  const peopleWritten = people.length > 0 ? await store.upsertPeople(people) : { created: 0, updated: 0 };
  const groups = [...candidates.values()].map((c) => c.group);
  const groupsWritten = await inBatches(groups, (group) => store.upsertGroup(group));
  rejections.rows.sort((a, b) => (a.section === b.section ? a.row - b.row : a.section === 'people' ? -1 : 1));
  return {
    ok: true,
    report: {
      imported: people.length + groups.length,
      people: peopleWritten,
      groups: groupsWritten,
      rejected: rejections.rows,
      rejectedCount: rejections.count,
      rowNumbering: JSON_ROW_NUMBERING,
    },
  };
}

function pushError(map: Map<string, ImportFieldError[]>, id: string, error: ImportFieldError): void {
  const list = map.get(id);
  if (list === undefined) map.set(id, [error]);
  else list.push(error);
}

const HEADER_ALIASES: Readonly<Record<string, CsvColumn>> = Object.fromEntries(CSV_COLUMNS.map((column) => [column.toLowerCase(), column]));

function readHeader(fields: string[]): { columns: Array<CsvColumn | undefined>; issues: ContractIssue[] } {
  const issues: ContractIssue[] = [];
  const seen = new Set<CsvColumn>();
  const columns = fields.map((raw, index) => {
    const name = raw.trim();
    const column = HEADER_ALIASES[name.toLowerCase()];
    if (column === undefined) {
      // A trailing empty column (a spreadsheet's stray comma) carries nothing; allow it.
      if (name === '') return undefined;
      issues.push({ path: `header[${index + 1}]`, message: `unknown column "${name.slice(0, 64)}"; the columns are ${CSV_COLUMNS.join(',')}` });
      return undefined;
    }
    if (seen.has(column)) issues.push({ path: `header[${index + 1}]`, message: `column "${column}" appears twice` });
    seen.add(column);
    return column;
  });
  for (const required of ['id', 'name'] as const) {
    if (!seen.has(required)) issues.push({ path: 'header', message: `the "${required}" column is required; the columns are ${CSV_COLUMNS.join(',')}` });
  }
  return { columns, issues };
}

function splitList(cell: string): string[] {
  return [...new Set(cell.split(';').map((item) => item.trim()).filter((item) => item !== ''))];
}

/**
 * Imports people from CSV with the header `id,name,title,unit,phone,email,userId,channels,groups`
 * (any order, names case-insensitive, optional columns may be left out); `channels` and `groups`
 * hold `;`-separated lists. The `groups` column adds the person to existing groups (it never
 * removes them from others, so importing a department's sheet does not empty other groups); a
 * group that does not exist rejects the row, because a group made up from a typo would quietly
 * collect people nobody sends to.
 */
export async function importDirectoryCsv(store: DirectoryStore, text: string): Promise<ImportResult> {
  const records = parseCsv(text);
  const header = records[0];
  if (header === undefined || isBlankRecord(header)) {
    return { ok: false, issues: [{ path: 'header', message: `the CSV is empty; the first row must be the header ${CSV_COLUMNS.join(',')}` }] };
  }
  if (header.error !== undefined) return { ok: false, issues: [{ path: 'header', message: header.error }] };
  const { columns, issues } = readHeader(header.fields);
  if (issues.length > 0) return { ok: false, issues };
  if (records.length - 1 > MAX_IMPORT_PEOPLE) {
    return { ok: false, issues: [{ path: ROOT_PATH, message: `at most ${MAX_IMPORT_PEOPLE} rows per import; split the file` }] };
  }

  const rejections = new Rejections();
  const rows: Array<{ row: number; person: DirectoryPerson; groups: string[] }> = [];
  const firstRow = new Map<string, number>();
  for (const record of records.slice(1)) {
    if (isBlankRecord(record)) continue;
    const id = record.fields[columns.indexOf('id')]?.trim() || undefined;
    const reject = (errors: ImportFieldError[]): void => rejections.add({ row: record.row, ...(id === undefined ? {} : { id: id.slice(0, 140) }), errors });
    if (record.error !== undefined) {
      reject([{ field: '(row)', message: record.error }]);
      continue;
    }
    const extra = record.fields.slice(columns.length);
    if (extra.some((cell) => cell.trim() !== '')) {
      reject([{ field: '(row)', message: `has ${record.fields.length} fields but the header has ${columns.length}; put fields that contain commas in double quotes` }]);
      continue;
    }

    const raw: Record<string, unknown> = {};
    let groups: string[] = [];
    columns.forEach((column, index) => {
      const cell = record.fields[index]?.trim() ?? '';
      if (column === undefined || cell === '') return;
      if (column === 'groups') groups = splitList(cell);
      else if (column === 'channels') {
        const list = splitList(cell);
        if (list.length > 0) raw.channels = list;
      } else raw[column] = cell;
    });

    const parsed = parseInputContract(directoryPersonSchema, raw);
    const errors = parsed.ok ? [] : toFieldErrors(parsed.issues);
    groups.forEach((group, index) => {
      if (!isDirectoryId(group)) errors.push({ field: `groups[${index}]`, message: 'must start with a lowercase letter or digit and use only a-z, 0-9, ".", "_" or "-"' });
    });
    const first = id === undefined ? undefined : firstRow.get(id);
    if (first !== undefined) errors.unshift({ field: 'id', message: duplicateMessage(first) });
    else if (id !== undefined) firstRow.set(id, record.row);
    if (errors.length > 0 || !parsed.ok) {
      reject(errors);
      continue;
    }
    rows.push({ row: record.row, person: parsed.value, groups });
  }

  const referenced = new Set(rows.flatMap((r) => r.groups));
  const existing = await store.existingGroupIds([...referenced]);
  const accepted: typeof rows = [];
  for (const entry of rows) {
    const errors: ImportFieldError[] = [];
    entry.groups.forEach((group, index) => {
      if (!existing.has(group)) {
        errors.push({ field: `groups[${index}]`, message: `no group "${group}" in the directory; create the group first, then import` });
      }
    });
    if (errors.length > 0) rejections.add({ row: entry.row, id: entry.person.id, errors });
    else accepted.push(entry);
  }
  rejections.rows.sort((a, b) => a.row - b.row);

  const written = accepted.length > 0 ? await store.upsertPeople(accepted.map((r) => r.person)) : { created: 0, updated: 0 };
  const byGroup = new Map<string, string[]>();
  for (const entry of accepted) for (const group of entry.groups) pushId(byGroup, group, entry.person.id);
  let memberships = 0;
  for (const [group, ids] of byGroup) memberships += (await store.addGroupMembers(group, ids)) ?? 0;

  return {
    ok: true,
    report: {
      imported: accepted.length,
      people: written,
      groups: { created: 0, updated: 0 },
      memberships,
      rejected: rejections.rows,
      rejectedCount: rejections.count,
      rowNumbering: CSV_ROW_NUMBERING,
    },
  };
}

function pushId(map: Map<string, string[]>, key: string, id: string): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [id]);
  else list.push(id);
}
