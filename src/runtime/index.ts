/** The runtime: the engine and the ports it is wired with. */
export { Engine, type EngineOptions, type SubmitRequest, type SendOptions } from './engine.js';
export type { ApplicationView } from './view.js';
export type * from './ports.js';
