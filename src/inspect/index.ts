// orchkit/inspect: live views of running workflows. Named exports only. Loads ws and an HTTP
// server, so it is a sub-entry: `import 'orchkit'` loads neither.

export { startStatelyInspector } from './startStatelyInspector.js';
export type { StatelyInspectorOptions, StatelyInspector } from './startStatelyInspector.js';
export { createLocalInspector, LIVE_MESSAGE_TYPES } from './createLocalInspector.js';
export type { LocalInspectorOptions, LocalInspector } from './createLocalInspector.js';
