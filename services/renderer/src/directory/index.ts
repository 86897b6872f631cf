export {
  directoryGroupSchema,
  directoryPersonSchema,
  isDirectoryId,
  MAX_GROUP_MEMBERS,
  MAX_NESTED_GROUPS,
  MAX_PAGE_LIMIT,
  type DirectoryGroup,
  type DirectoryGroupInput,
  type DirectoryPerson,
  type DirectoryPersonInput,
  type GroupMembers,
  type GroupSummary,
  type Page,
  type PageRequest,
} from './model';
export { DirectoryDataError, DirectoryStoreError } from './errors';
export type { DirectoryReader, DirectoryStore } from './store';
export { createMemoryDirectoryStore } from './memory-store';
export { createRedisDirectoryStore, type RedisDirectoryStoreOptions } from './redis-store';
export {
  chooseChannels,
  DEFAULT_MAX_GROUP_DEPTH,
  resolveRecipients,
  SKIP_REASONS,
  UNRESOLVED_REASONS,
  WIDENING_URGENCIES,
  type ChannelChoice,
  type ChannelContact,
  type ResolvedPerson,
  type ResolveOptions,
  type ResolveResult,
  type UnresolvedRecipient,
} from './resolve';
export { parseCsv, type CsvRecord } from './csv';
export {
  CSV_COLUMNS,
  importDirectory,
  importDirectoryCsv,
  MAX_IMPORT_GROUPS,
  MAX_IMPORT_PEOPLE,
  MAX_REPORTED_REJECTIONS,
  type ImportFieldError,
  type ImportReport,
  type ImportResult,
  type RejectedRow,
} from './import';
export { createDirectoryRouter, DEFAULT_IMPORT_LIMIT_BYTES, type DirectoryRouterDeps } from './http';
