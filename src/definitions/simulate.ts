/**
 * Drives a definition from submission to a final state with generated events, without a database:
 * an admin's way to try a definition before publishing it (`onevisit simulate`, and the admin console's editor).
 * Pure: the same definition and options give the same run.
 */
import { initialTransition, transition } from 'xstate';
import type { ServiceDefinition } from '../domain/definition.js';
import { OnevisitError } from '../domain/errors.js';
import { createAjv, issuesFromAjv } from './ajv.js';
import { nextMove } from './autopilot.js';
import { compileDefinition } from './compile.js';
import { stateLabel, statusOf } from './describe.js';
import type { ApplicationEvent, MaterialRecord } from './machineTypes.js';

export interface SimulationStep {
  event: string;
  actor: string;
  from: string;
  to: string;
  status: string;
}

export interface SimulationOptions {
  form?: Record<string, unknown>;
  /** Matters to reject instead of approving, to see those paths. */
  reject?: string[];
  /** Leave deferrable materials out at submission, so they are owed. */
  defer?: boolean;
}

export function simulate(definition: ServiceDefinition, options: SimulationOptions = {}): { steps: SimulationStep[]; final: string } {
  const compiled = compileDefinition(definition);
  const form = options.form ?? definition.form.examples?.[0];
  if (!form) throw new OnevisitError('INPUT.INVALID', 'the definition has no form example: give a form with --form');
  const validate = createAjv().compile(definition.form);
  if (!validate(form)) throw new OnevisitError('FORM.INVALID', 'the form does not fit the definition', { errors: issuesFromAjv(validate.errors, '/form', 'FORM') });
  const materials: Record<string, MaterialRecord> = {};
  const owed: string[] = [];
  for (const material of definition.materials) {
    if (!compiled.applies(`material:${material.id}`, form)) continue;
    if (material.deferrable && options.defer) owed.push(material.id);
    else if (material.satisfiedBy) materials[material.id] = { materialId: material.id, source: 'certificate', certificateId: `simulated-${material.satisfiedBy}` };
    else if (material.commitment) materials[material.id] = { materialId: material.id, source: 'commitment' };
    else materials[material.id] = { materialId: material.id, source: 'file', fileId: `simulated-${material.id}` };
  }
  let [snapshot] = initialTransition(compiled.machine, { form, materials, owed });
  const steps: SimulationStep[] = [];
  const at = new Date(0).toISOString();
  for (let i = 0; i < 200 && snapshot.status !== 'done'; i++) {
    const move = nextMove(compiled, snapshot.value, snapshot.context);
    if (!move) break;
    const type = move.matter && options.reject?.includes(move.matter) && move.type === 'APPROVE' ? 'REJECT' : move.type;
    const event: ApplicationEvent = {
      type,
      ...(move.matter ? { matter: move.matter } : {}),
      ...(move.owedMaterials ? { materials: move.owedMaterials.map((id) => ({ materialId: id, source: 'file' as const, fileId: `simulated-${id}` })) } : {}),
      actor: { kind: move.actor.kind, id: 'simulator', ...(move.actor.department ? { departments: [move.actor.department] } : {}) },
      at,
    };
    const from = stateLabel(snapshot.value);
    [snapshot] = transition(compiled.machine, snapshot, event);
    steps.push({
      event: move.matter ? `${type} ${move.matter}` : type,
      actor: move.actor.department ? `${move.actor.kind}@${move.actor.department}` : move.actor.kind,
      from,
      to: stateLabel(snapshot.value),
      status: statusOf(snapshot),
    });
  }
  return { steps, final: statusOf(snapshot) };
}
