export { createMemoryRendererStores, startRenderer, type RendererDeps, type RendererStores, type RunningRenderer } from './main';
export { loadRendererSettings, type RendererSettings } from './settings';
export { messageIdFor } from './app/process-event';
