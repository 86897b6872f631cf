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
export {
  chooseChannels,
  resolveRecipients,
  SKIP_REASONS,
  UNRESOLVED_REASONS,
  type ChannelChoice,
  type ChannelContact,
  type ResolvedPerson,
  type ResolveOptions,
  type ResolveResult,
  type UnresolvedRecipient,
} from './resolve';
export { parseCsv, type CsvRecord } from './csv';
export {
  importDirectory,
  importDirectoryCsv,
  type ImportFieldError,
  type ImportReport,
  type ImportResult,
  type RejectedRow,
} from './import';
export { createDirectoryRouter, type DirectoryRouterDeps } from './http';
