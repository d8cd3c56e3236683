/**
 * The two ends of a business timer: the engine's `scheduleTimer` effect, which stores a timer, and the handlers
 * that turn a fired timer into the application's event. Built by factories that receive their dependencies.
 */
import type { WorkingCalendar } from '../domain/calendar.js';
import { isOnevisitError } from '../domain/errors.js';
import type { EventType } from '../domain/vocabulary.js';
import type { ActorRef, EffectSpec } from '../definitions/index.js';
import type { EffectHandlers } from '../runtime/ports.js';
import type { Engine } from '../runtime/engine.js';
import type { TimerStore } from './ports.js';
import type { TimerHandler } from './scheduler.js';

/** The timers the definitions ask for (`scheduleTimer` effects); a timer's kind is its effect's `timer`. */
export type TimerKind = Extract<EffectSpec, { effect: 'scheduleTimer' }>['timer'];

/**
 * The event a fired timer sends: the notice period (公示期) has elapsed; the deferred (容缺) materials are overdue,
 * which terminates the application if they are still owed.
 */
export const TimerEvents = {
  notice: 'NOTICE_ELAPSED',
  deferredMaterials: 'TERMINATE',
} as const satisfies Record<TimerKind, EventType>;

export const SCHEDULER_ACTOR: ActorRef = { kind: 'scheduler', id: 'scheduler' };

export interface TimerEffectOptions {
  timers: Pick<TimerStore, 'schedule'>;
  /** The current working-day calendar (admins may edit it). */
  calendar: () => WorkingCalendar;
  now?: () => Date;
}

/**
 * The engine's `scheduleTimer` effect handler. The period is `workingDays` working days counted from the day after
 * the transition that asked for it (次日起算), i.e. it ends with `calendar.addWorkingDays(at, workingDays)`; the
 * timer is due the millisecond after, when the period is over. `at` is the time of that transition (the row the
 * engine hands over; on a late retry of the effect, a later transition's, so the timer can only come later, never
 * early). The timer's id is the effect's id, so an effect carried out twice schedules one timer.
 */
export function createTimerEffect(options: TimerEffectOptions): EffectHandlers['scheduleTimer'] {
  const now = options.now ?? (() => new Date());
  return async (context, spec) => {
    const at = new Date(context.application.updatedAt);
    const periodEnd = options.calendar().addWorkingDays(at, spec.workingDays);
    const payload: Record<string, unknown> = { ...spec, event: TimerEvents[spec.timer] };
    await options.timers.schedule({
      id: context.effectId,
      applicationId: context.application.id,
      kind: spec.timer,
      dueAt: new Date(periodEnd.getTime() + 1),
      payload,
      createdAt: now(),
    });
  };
}

/**
 * A handler per timer kind: send the kind's event to the timer's application as the scheduler. An event the
 * application no longer takes (it was withdrawn, the materials arrived, an earlier run already delivered it)
 * means the timer has nothing left to do. Because the engine may hold an older snapshot than another instance
 * wrote, that conclusion is drawn only after the application has been read again.
 */
export function timerHandlers(engine: Pick<Engine, 'send' | 'clearCache'>): Record<TimerKind, TimerHandler> {
  const deliver =
    (type: EventType): TimerHandler =>
    async (timer) => {
      // A deferred material's timer names the material whose deadline it is.
      const material = typeof timer.payload.material === 'string' ? timer.payload.material : undefined;
      const send = () => engine.send(timer.applicationId, material === undefined ? { type } : { type, data: { material } }, SCHEDULER_ACTOR);
      try {
        await send();
      } catch (error) {
        if (!isOnevisitError(error, 'TRANSITION.NOT_ALLOWED')) throw error;
        engine.clearCache();
        try {
          await send();
        } catch (again) {
          if (!isOnevisitError(again, 'TRANSITION.NOT_ALLOWED')) throw again;
        }
      }
    };
  return { notice: deliver(TimerEvents.notice), deferredMaterials: deliver(TimerEvents.deferredMaterials) };
}
