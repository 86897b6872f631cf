export { startOperator, type RunningOperator } from './main';
export { loadOperatorSettings, type OperatorSettings } from './config';
export { createRedisStatusStore, type StatusStore, type NotificationView } from './projection/status-store';
