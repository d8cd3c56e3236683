/**
 * Definition in, XState machine out — a pure function. Behaviour is referenced by name in the machine
 * config and attached with `setup()`; conditions are compiled once here (ajv) and evaluated against the
 * form held in the machine's context.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { and, assign, enqueueActions, setup, type AnyStateMachine } from 'xstate';
import type { Condition, MatterDefinition, ServiceDefinition, StepDefinition } from '../domain/definition.js';
import { stepId } from '../domain/definition.js';
import type { ApplicationStatus, ClockMode, MatterDecision } from '../domain/vocabulary.js';
import { createAjv } from './ajv.js';
import type { ApplicationContext, ApplicationEvent, ApplicationInput, EffectSpec } from './machineTypes.js';

export interface CompiledService {
  readonly definition: ServiceDefinition;
  /** sha256 of the canonical (RFC 8785) definition: what an application is pinned to. */
  readonly hash: string;
  readonly machine: AnyStateMachine;
  /** Whether a conditional step, matter or material applies to this form. */
  applies(key: ConditionKey, form: Record<string, unknown>): boolean;
}

/** `step:<id>`, `matter:<id>` or `material:<id>`. */
export type ConditionKey = `${'step' | 'matter' | 'material'}:${string}`;

export const MACHINE_ID = 'application';
const ROOT = `#${MACHINE_ID}`;

const statusTag = (status: ApplicationStatus) => `status:${status}`;
const clockTag = (mode: ClockMode) => `clock:${mode}`;

const canonicalJson = canonicalize as unknown as (value: unknown) => string;

export function definitionHash(definition: ServiceDefinition): string {
  return createHash('sha256').update(canonicalJson(definition)).digest('hex');
}

type Transition = { target?: string; guard?: unknown; actions?: unknown; reenter?: boolean };
type StateConfig = Record<string, unknown>;

export function compileDefinition(definition: ServiceDefinition): CompiledService {
  const ajv = createAjv();
  const conditions = new Map<ConditionKey, (form: unknown) => boolean>();
  const addCondition = (key: ConditionKey, condition: Condition | undefined) => {
    if (condition !== undefined) conditions.set(key, ajv.compile(condition) as (form: unknown) => boolean);
  };
  for (const material of definition.materials) addCondition(`material:${material.id}`, material.when);
  for (const step of definition.steps) {
    if ('when' in step) addCondition(`step:${stepId(step)}`, step.when);
    if (step.kind === 'review') for (const matter of step.matters) addCondition(`matter:${matter.id}`, matter.when);
  }
  const applies = (key: ConditionKey, form: Record<string, unknown>) => conditions.get(key)?.(form) ?? true;

  const steps = definition.steps;
  const deferrable = definition.materials.filter((m) => m.deferrable);
  const hasDeferrable = deferrable.length > 0;
  /** How many working days after acceptance each deferred material may follow. */
  const deferDaysOf = new Map(deferrable.map((m) => [m.id, m.deferDays ?? definition.promisedDays]));
  const issueStep = steps.find((step) => step.kind === 'issue');
  const afterOwed = issueStep ? stepId(issueStep) : 'completed';

  /** The guarded transitions that leave step `index` for the next step that applies. */
  function advanceFrom(index: number, actions?: unknown): Transition[] {
    const transitions: Transition[] = [];
    const push = (t: Transition) => transitions.push(actions === undefined ? t : { ...t, actions });
    for (let j = index + 1; j < steps.length; j++) {
      const step = steps[j]!;
      const id = stepId(step);
      if (step.kind === 'issue' && hasDeferrable) push({ guard: 'materialsOwed', target: `${ROOT}.owed` });
      if ('when' in step && step.when !== undefined) {
        push({ guard: { type: 'applies', params: { key: `step:${id}` } }, target: `${ROOT}.${id}` });
        continue;
      }
      push({ target: `${ROOT}.${id}` });
      return transitions;
    }
    if (hasDeferrable) push({ guard: 'materialsOwed', target: `${ROOT}.owed` });
    push({ target: `${ROOT}.completed` });
    return transitions;
  }

  /** What every step after acceptance (and before issue) also answers. */
  const inProgress = {
    WITHDRAW: { target: `${ROOT}.withdrawn` },
    EXTEND: { actions: 'extend' },
    ...(hasDeferrable
      ? {
          PROVIDE_MATERIALS: { guard: 'providesOwed', actions: 'addMaterials' },
          TERMINATE: { guard: 'deadlineMissed', target: `${ROOT}.terminated` },
        }
      : {}),
  };

  const states: Record<string, StateConfig> = {};
  steps.forEach((step, index) => {
    states[stepId(step)] = stepState(step, index);
  });
  if (hasDeferrable) {
    states.owed = {
      tags: [statusTag('supplement_requested'), clockTag('paused')],
      always: [{ guard: 'noneOwed', target: `${ROOT}.${afterOwed}` }],
      on: inProgress,
    };
  }
  states.completed = { type: 'final', tags: [statusTag('completed'), clockTag('stopped')] };
  states.rejected = { type: 'final', tags: [statusTag('rejected'), clockTag('stopped')] };
  states.withdrawn = { type: 'final', tags: [statusTag('withdrawn'), clockTag('stopped')] };
  states.terminated = { type: 'final', tags: [statusTag('terminated'), clockTag('stopped')] };

  function stepState(step: StepDefinition, index: number): StateConfig {
    const id = stepId(step);
    switch (step.kind) {
      case 'intake':
        return {
          initial: 'pending',
          states: {
            pending: {
              tags: [statusTag('submitted'), clockTag('idle')],
              on: {
                ACCEPT: advanceFrom(index, hasDeferrable ? ['scheduleDeferredDeadline'] : undefined),
                REQUEST_SUPPLEMENT: { target: 'supplement' },
                REJECT: { target: `${ROOT}.rejected` },
              },
            },
            supplement: {
              tags: [statusTag('supplement_requested'), clockTag('idle')],
              on: { SUPPLEMENT: { target: 'pending', actions: ['correctForm', 'addMaterials'] } },
            },
          },
          on: { WITHDRAW: { target: `${ROOT}.withdrawn` } },
        };
      case 'review': {
        const regions: Record<string, StateConfig> = {};
        for (const matter of step.matters) regions[matter.id] = matterRegion(matter);
        return {
          type: 'parallel',
          tags: [statusTag('in_review'), clockTag('running')],
          states: regions,
          onDone: [{ guard: { type: 'reviewFailed', params: { step: id } }, target: `${ROOT}.rejected` }, ...advanceFrom(index)],
          on: inProgress,
        };
      }
      case 'inspection':
        return {
          initial: 'pending',
          tags: [statusTag('in_inspection'), clockTag('running')],
          states: {
            pending: { on: { SCHEDULE: { target: 'scheduled' } } },
            scheduled: { on: { SCHEDULE: { target: 'scheduled', reenter: true } } },
          },
          on: { ...inProgress, PASS: advanceFrom(index), FAIL: { target: `${ROOT}.rejected` } },
        };
      case 'payment':
        return {
          tags: [statusTag('awaiting_payment'), clockTag('paused')],
          on: { ...inProgress, PAY: advanceFrom(index), WAIVE: advanceFrom(index) },
        };
      case 'notice':
        return {
          initial: 'open',
          tags: [statusTag('in_notice'), clockTag('paused')],
          entry: [{ type: 'effect', params: { effect: 'scheduleTimer', timer: 'notice', step: id, workingDays: step.days } satisfies EffectSpec }],
          states: {
            open: {
              on: { NOTICE_ELAPSED: advanceFrom(index), OBJECTION: { target: 'objected' } },
            },
            objected: {
              on: {
                NOTICE_ELAPSED: { actions: 'markNoticeElapsed' },
                OBJECTION: {},
                UPHOLD: { target: `${ROOT}.rejected` },
                DISMISS: [...advanceFrom(index).map((t) => ({ ...t, guard: t.guard === undefined ? 'noticeElapsed' : and(['noticeElapsed', t.guard as never]) })), { target: 'open' }],
              },
            },
          },
          exit: 'resetNotice',
          on: inProgress,
        };
      case 'issue':
        return {
          tags: [statusTag('issuing'), clockTag('stopped')],
          entry: [{ type: 'effect', params: { effect: 'issueCertificates', step: id } satisfies EffectSpec }],
          on: { CERTIFICATES_ISSUED: { target: `${ROOT}.completed` } },
        };
    }
  }

  function matterRegion(matter: MatterDefinition): StateConfig {
    const isMatter = { type: 'isMatter', params: { matter: matter.id } };
    const decide = (decision: MatterDecision) => ({ type: 'recordDecision', params: { matter: matter.id, decision } });
    const required = matter.required !== false;
    return {
      initial: 'check',
      states: {
        check: {
          always: [
            { guard: { type: 'notApplicable', params: { key: `matter:${matter.id}` } }, target: 'skipped', actions: decide('skipped') },
            { target: 'pending' },
          ],
        },
        pending: {
          on: {
            APPROVE: { guard: isMatter, target: 'approved', actions: decide('approved') },
            REJECT: { guard: isMatter, target: required ? `${ROOT}.rejected` : 'rejected', actions: decide('rejected') },
            RETURN: { guard: isMatter, target: 'returned' },
          },
        },
        returned: {
          tags: [statusTag('supplement_requested'), clockTag('paused')],
          on: { SUPPLEMENT: { guard: isMatter, target: 'pending', actions: 'addMaterials' } },
        },
        approved: { type: 'final' },
        rejected: { type: 'final' },
        skipped: { type: 'final' },
      },
    };
  }

  const machine = setup({
    types: {} as { context: ApplicationContext; events: ApplicationEvent; input: ApplicationInput },
    guards: {
      applies: ({ context }, params: { key: ConditionKey }) => applies(params.key, context.form),
      notApplicable: ({ context }, params: { key: ConditionKey }) => !applies(params.key, context.form),
      isMatter: ({ event }, params: { matter: string }) => event.matter === params.matter,
      materialsOwed: ({ context }) => context.owed.length > 0,
      noneOwed: ({ context }) => context.owed.length === 0,
      // A deferred material's deadline has passed while it is still owed (a timer of no material: any is owed).
      deadlineMissed: ({ context, event }) => {
        const material = event.data?.material;
        return typeof material === 'string' ? context.owed.includes(material) : context.owed.length > 0;
      },
      noticeElapsed: ({ context, event }) => context.noticeElapsed || event.type === 'NOTICE_ELAPSED',
      providesOwed: ({ context, event }) =>
        (event.materials ?? []).length > 0 && (event.materials ?? []).every((m) => context.owed.includes(m.materialId)),
      reviewFailed: ({ context }, params: { step: string }) => {
        const step = steps.find((s) => stepId(s) === params.step);
        if (step?.kind !== 'review') return false;
        const decisions = step.matters.map((m) => context.decisions[m.id]);
        const applied = decisions.filter((d) => d !== 'skipped');
        return applied.length > 0 && !applied.includes('approved');
      },
    },
    actions: {
      /** Recorded in the outbox by the runtime; the machine itself does nothing. */
      effect: (_, _params: EffectSpec) => {},
      recordDecision: assign(({ context }, params: { matter: string; decision: MatterDecision }) => ({
        decisions: { ...context.decisions, [params.matter]: params.decision },
      })),
      addMaterials: assign(({ context, event }) => {
        const provided = event.materials ?? [];
        if (provided.length === 0) return {};
        const materials = { ...context.materials };
        for (const record of provided) materials[record.materialId] = record;
        return { materials, owed: context.owed.filter((id) => !(id in materials)) };
      }),
      correctForm: assign(({ context, event }) => {
        const form = event.data?.form;
        return form && typeof form === 'object' ? { form: form as Record<string, unknown> } : { form: context.form };
      }),
      markNoticeElapsed: assign({ noticeElapsed: true }),
      resetNotice: assign({ noticeElapsed: false }),
      extend: assign(({ context, event }) => ({ extensionDays: context.extensionDays + Number(event.data?.days ?? 0) })),
      // Each owed material has its own deadline: one provided in time does not end the wait for the others.
      scheduleDeferredDeadline: enqueueActions(({ context, enqueue }) => {
        for (const material of context.owed) {
          const params: EffectSpec = { effect: 'scheduleTimer', timer: 'deferredMaterials', workingDays: deferDaysOf.get(material) ?? definition.promisedDays, material };
          enqueue({ type: 'effect', params } as never);
        }
      }),
    },
  }).createMachine({
    id: MACHINE_ID,
    initial: stepId(steps[0]!),
    context: ({ input }) => ({
      form: input.form,
      materials: input.materials,
      owed: input.owed,
      decisions: {},
      noticeElapsed: false,
      extensionDays: 0,
    }),
    // The config is built from data; setup() checks the named guards and actions at run time.
    states: states as never,
  });

  return { definition, hash: definitionHash(definition), machine: machine as unknown as AnyStateMachine, applies };
}
