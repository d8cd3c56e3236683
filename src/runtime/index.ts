/** The runtime: the engine and the ports it is wired with. */
export { Engine, type EngineOptions, type SubmitRequest, type SendOptions } from './engine.js';
export type { ApplicationView } from './view.js';
export { enteredByOf } from './enteredBy.js';
export type * from './ports.js';
export { FigureNames, EffectStatuses } from './ports.js';
export {
  advanceClock,
  advanceDeadline,
  deadlineOf,
  warningAt,
  warningThresholdsOf,
  parseClockRecord,
  emptyClock,
  DEFAULT_WARNING_THRESHOLDS,
  type ClockRecord,
  type ClockPause,
  type Deadline,
  type DeadlineTerms,
  type DeadlineState,
} from './deadline.js';
