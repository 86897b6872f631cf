export * from './model';
export * from './port';
export * from './token';
export * from './memory';
export * from './redis';
export * from './settings';
