/**
 * The start-a-business service as a BPMN 2.0 process run by npm `bpmn-engine`, for bench/core.ts to set beside
 * onevisit: the same steps as workflows/business-startup.json — intake at the window (a userTask), the parallel
 * review of its matters by their departments (a parallel gateway forking to one userTask per matter and joining
 * them), and the issue step (a userTask the system completes, as onevisit's CERTIFICATES_ISSUED completes its
 * issue effect). The example form applies every matter, so the fork is unconditional (checked, not assumed).
 *
 * bpmn-engine is given its best path: the XML is parsed once (`bpmnProcess`) and every engine built from that
 * serialized context (`sourceContext`), as onevisit compiles a definition once; the state stored after a step is
 * `engine.getState()` without the copy of the serialized source it carries (`definitions[].source`, which the
 * shared context replaces), and each next step is a new engine that `recover()`s that stored state and
 * `resume()`s before the signal — as a server would on the next request, in another process or after a restart.
 */
import { Engine as BpmnEngine, type BpmnEngineOptions } from 'bpmn-engine';
import type { CompiledService } from '../src/definitions/index.js';

export interface BpmnProcess {
  xml: string;
  /** The serialized context the XML parses to, shared by every engine. */
  sourceContext: NonNullable<BpmnEngineOptions['sourceContext']>;
  /** The userTask a recorded onevisit event stands for. */
  taskOf(event: { type: string; payload: Record<string, unknown> }): string;
}

const escape = (s: string | undefined) => (s ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

/** The BPMN 2.0 XML of the service's steps (intake, review, issue), parsed once. */
export async function bpmnProcess(compiled: CompiledService, form: Record<string, unknown>): Promise<BpmnProcess> {
  const { definition } = compiled;
  const intake = definition.steps.find((s) => s.kind === 'intake');
  const review = definition.steps.find((s) => s.kind === 'review');
  const issue = definition.steps.find((s) => s.kind === 'issue');
  if (!intake || !review || review.kind !== 'review' || !issue || definition.steps.length !== 3) throw new Error(`${definition.id}: expected the steps intake, review, issue`);
  const matters = review.matters;
  const intakeId = intake.id ?? 'intake';
  const issueId = issue.id ?? 'issue';
  for (const m of matters) if (!compiled.applies(`matter:${m.id}`, form)) throw new Error(`the example form does not apply matter ${m.id}: the BPMN fork is unconditional`);
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="${definition.id}-definitions" targetNamespace="https://onevisit.example/bpmn">
  <process id="${definition.id}" name="${escape(definition.title.en)}" isExecutable="true">
    <startEvent id="submitted" />
    <sequenceFlow id="to-intake" sourceRef="submitted" targetRef="${intakeId}" />
    <userTask id="${intakeId}" name="${escape(intake.title?.en)}" />
    <sequenceFlow id="to-fork" sourceRef="${intakeId}" targetRef="fork" />
    <parallelGateway id="fork" />
${matters
  .map(
    (m) => `    <sequenceFlow id="fork-${m.id}" sourceRef="fork" targetRef="${m.id}" />
    <userTask id="${m.id}" name="${escape(m.title.en)} (${m.department})" />
    <sequenceFlow id="${m.id}-join" sourceRef="${m.id}" targetRef="join" />`,
  )
  .join('\n')}
    <parallelGateway id="join" />
    <sequenceFlow id="to-issue" sourceRef="join" targetRef="${issueId}" />
    <userTask id="${issueId}" name="${escape(issue.title?.en)}" />
    <sequenceFlow id="to-completed" sourceRef="${issueId}" targetRef="completed" />
    <endEvent id="completed" />
  </process>
</definitions>`;
  const parsing = new BpmnEngine({ name: 'parse', source: xml });
  const [parsed] = await parsing.getDefinitions();
  const sourceContext = (parsed as unknown as { environment: { options: { source: BpmnProcess['sourceContext'] } } }).environment.options.source;
  const byType: Record<string, string> = { ACCEPT: intakeId, CERTIFICATES_ISSUED: issueId };
  return {
    xml,
    sourceContext,
    taskOf(event) {
      const task = event.type === 'APPROVE' ? String(event.payload.matter) : byType[event.type];
      if (!task) throw new Error(`no BPMN task for ${event.type}`);
      return task;
    },
  };
}

type State = Awaited<ReturnType<BpmnEngine['getState']>>;

/** The state to store: getState() without the serialized source (every engine has it from the shared context). */
function stored(state: State): string {
  return JSON.stringify({ ...state, definitions: state.definitions.map(({ source: _source, ...d }) => d) });
}

/** Starts an application's process: runs to the intake task; answers the state to store. */
export async function startProcess(process: BpmnProcess, name: string, variables: Record<string, unknown>): Promise<string> {
  const engine = new BpmnEngine({ name, sourceContext: process.sourceContext });
  const execution = await engine.execute({ variables });
  if (execution.getPostponed().length !== 1) throw new Error(`${name}: the process did not stop at intake`);
  return stored(await engine.getState());
}

/** One step on a stored state: recover, resume, signal the task; answers the state to store and whether the process ended. */
export async function stepProcess(process: BpmnProcess, state: string, task: string): Promise<{ state: string; ended: boolean }> {
  const engine = new BpmnEngine({ sourceContext: process.sourceContext });
  engine.recover(JSON.parse(state));
  let ended = false;
  engine.once('end', () => (ended = true));
  const execution = await engine.resume();
  if (!execution.getPostponed().some((p) => p.id === task)) throw new Error(`${engine.name}: ${task} is not waiting`);
  execution.signal({ id: task });
  return { state: stored(await engine.getState()), ended };
}

/** Engine work alone: one application's whole process on one engine, execute then a signal per step, no state taken. */
export async function runProcessInMemory(process: BpmnProcess, name: string, variables: Record<string, unknown>, tasks: readonly string[]): Promise<void> {
  const engine = new BpmnEngine({ name, sourceContext: process.sourceContext });
  let ended = false;
  engine.once('end', () => (ended = true));
  const execution = await engine.execute({ variables });
  for (const task of tasks) execution.signal({ id: task });
  if (!ended) throw new Error(`${name}: the process did not end`);
}
