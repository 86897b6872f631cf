export { startIntake, type RunningIntake } from './main';
export { loadIntakeSettings, type IntakeSettings } from './config';
export { hashKey, generateKey, SCOPES, type Scope, type KeysFile } from './domain/keys';
