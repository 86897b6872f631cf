export { startOperator, type RunningOperator, type OperatorDeps } from './main';
export { loadOperatorSettings, type OperatorSettings } from './settings';
export { createRedisOperatorStores, createMemoryOperatorStores, type OperatorStores, type MemoryOperatorStores } from './data-access/stores';
export type { NotificationStore } from './data-access/notification-store';
export type { NotificationRecord, NotificationView } from './domain/notification';
