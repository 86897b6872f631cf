export { createMemoryIntakeStores, startIntake, type IntakeDeps, type IntakeStores, type RunningIntake } from './main';
export { loadIntakeSettings, type IntakeSettings } from './settings';
