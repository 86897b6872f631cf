export { startRenderer, type RunningRenderer } from './main';
export { embeddedDirectory } from './main';
export { loadRendererSettings, type RendererSettings } from './settings';
export { messageIdFor } from './app/process-event';
