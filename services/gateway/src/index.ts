// The gateway's public face for other packages' tests and benches: choosing and starting services in one process.
export { SERVICES, chooseServices, firstServiceFailure, startServices, stopServices, type RunningService, type ServiceName, type StartOptions } from './main';
export { loadCliSettings, type CliSettings } from './cli/settings';
