export * from './config';
export * from './log';
export * from './lifecycle';
export * from './kafka';
