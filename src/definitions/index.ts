/** The definitions module: load → validate → check meaning → compile; diagram. Pure: no I/O, no clock. */
export { parseDefinitionText, MAX_DEFINITION_BYTES, type ParseResult } from './parse.js';
export { createDefinitionValidator, type DefinitionValidator, type ValidationResult } from './validate.js';
export { compileDefinition, definitionHash, MACHINE_ID, type CompiledService, type ConditionKey } from './compile.js';
export { toMermaid } from './diagram.js';
export { createAjv, issuesFromAjv } from './ajv.js';
export { statusOf, clockOf, topState, activeStep, matterStates, stateLabel, openTasks, taskOfEvent, involvedDepartments, TaskKinds, type TaskKind, type TaskParty, type MatterState, type OpenTask } from './describe.js';
export { MATTER_EVENTS, isEventType, responsibleDepartment, windowOf } from './eventRules.js';
export { pointerResolves } from './formSchema.js';
export * from './machineTypes.js';
export { eventRequestSchema, materialClaimSchema, type EventRequest, type MaterialClaim } from './eventRequest.js';
export { parseDepartments, parseCertificateTypes, catalogContext, type Department, type CertificateType } from './catalog.js';
export { ReferenceKinds, isReferenceKind, parseDepartment, parseCertificateType, unknownIssuers, ReferenceSchemas, type ReferenceKind, type ReferenceRow, type ReferenceStore } from './reference.js';
export { nextMove, type NextMove } from './autopilot.js';
export { possibleEvents, type PossibleEvent } from './possibleEvents.js';
export { schemasAtPointer } from './formSchema.js';
