// The directory's public API: what the renderer, the operator and the admin tools may use.
export {
  directoryGroupSchema,
  directoryPersonSchema,
  isDirectoryId,
  MAX_PAGE_LIMIT,
  type DirectoryGroup,
  type DirectoryPerson,
  type GroupMembers,
  type GroupSummary,
  type Page,
  type PageRequest,
} from './model';
export { DirectoryDataError, DirectoryStoreError } from './errors';
export type { DirectoryReader, DirectoryStore } from './store';
export { createMemoryDirectoryStore } from './memory-store';
export { createRedisDirectoryStore, type RedisDirectoryStoreOptions } from './redis-store';
export { resolveRecipients, UNRESOLVED_REASONS, type ResolvedPerson, type ResolveOptions, type ResolveResult, type UnresolvedRecipient } from './resolve';
export { parseCsv, type CsvRecord } from './import/csv';
export {
  CSV_ROW_NUMBERING,
  importDirectory,
  importDirectoryCsv,
  JSON_ROW_NUMBERING,
  type ImportFieldError,
  type ImportReport,
  type ImportResult,
  type RejectedRow,
} from './import/importer';
