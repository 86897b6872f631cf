// API keys: the key ring and its scopes, and the keys file that holds them (`@gateway/common/auth`).
export * from './keys';
export * from './keys-file';
