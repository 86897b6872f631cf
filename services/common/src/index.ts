export * from './config';
export * from './log';
export * from './lifecycle';
export * from './kafka';
export * from './keys';
export * from './keys-file';
export * from './http';
export * from './run-main';
