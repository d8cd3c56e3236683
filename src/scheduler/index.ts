/** DB-backed timers: the polling scheduler, and the effect and handlers that connect it to the engine. */
export { createScheduler, type Scheduler, type SchedulerOptions, type TimerHandler } from './scheduler.js';
export { createTimerEffect, timerHandlers, TimerEvents, SCHEDULER_ACTOR, type TimerKind, type TimerEffectOptions } from './effects.js';
export { createOutboxWorker, OUTBOX_POLL_LIMIT, type OutboxWorker, type OutboxWorkerOptions, type OutboxPoll } from './outboxWorker.js';
export { TimerStatuses, type TimerStore, type TimerRow, type NewTimer, type TimerFailure, type TimerStatus } from './ports.js';
