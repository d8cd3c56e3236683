/** DB-backed timers: the polling scheduler, and the effect and handlers that connect it to the engine. */
export { createScheduler, type Scheduler, type SchedulerOptions, type TimerHandler } from './scheduler.js';
export { createTimerEffect, timerHandlers, TimerEvents, SCHEDULER_ACTOR, type TimerKind, type TimerEffectOptions } from './effects.js';
