export { startIntake, type RunningIntake } from './main';
export { loadIntakeSettings, type IntakeSettings } from './settings';
