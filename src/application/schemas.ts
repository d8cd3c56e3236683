/**
 * The API's request payloads as JSON Schemas: requests are checked against these, and the OpenAPI
 * document publishes these same objects, so the two cannot drift apart.
 */
import { ApplicationStatuses, QueueSorts, QueueStages, WarningLevels } from '../domain/vocabulary.js';
import { AuditSubjectKinds } from '../domain/audit.js';
import { TaskKinds, eventRequestSchema, materialClaimSchema } from '../definitions/index.js';

const id = { type: 'string', pattern: '^[a-z][a-z0-9]*(-[a-z0-9]+)*$', maxLength: 64 } as const;
const draftId = { type: 'string', minLength: 1, maxLength: 64 } as const;
/** The person an application is entered for at a counter: as on their resident id card (checksum verified by the use case). */
const applicantSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'idNumber'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 64, pattern: '\\S' }, idNumber: { type: 'string', minLength: 18, maxLength: 18 } },
} as const;

/** What an application holds, in a submission, a counter intake and a draft alike: the service, its form, the materials. */
const applicationContent = {
  serviceId: id,
  form: { type: 'object' },
  materials: { type: 'array', maxItems: 100, items: materialClaimSchema },
} as const;

export const RequestSchemas = {
  Login: {
    type: 'object',
    additionalProperties: false,
    required: ['username', 'password'],
    properties: { username: { type: 'string', minLength: 1, maxLength: 64 }, password: { type: 'string', minLength: 1, maxLength: 128 } },
  },
  Register: {
    type: 'object',
    additionalProperties: false,
    required: ['username', 'password', 'name', 'idNumber'],
    properties: {
      username: { type: 'string', minLength: 3, maxLength: 64 },
      password: { type: 'string', maxLength: 128 }, // the password rule (length, common passwords) is identity's: 422 PASSWORD.WEAK
      name: { type: 'string', minLength: 1, maxLength: 64 },
      idNumber: { type: 'string', minLength: 18, maxLength: 18 },
    },
  },
  NewUser: {
    type: 'object',
    additionalProperties: false,
    required: ['username', 'password', 'role'],
    properties: {
      username: { type: 'string', minLength: 3, maxLength: 64 },
      password: { type: 'string', maxLength: 128 }, // the password rule (length, common passwords) is identity's: 422 PASSWORD.WEAK
      role: { enum: ['citizen', 'clerk', 'admin'] },
      departments: { type: 'array', maxItems: 50, items: id },
      name: { type: 'string', minLength: 1, maxLength: 64 },
      idNumber: { type: 'string', minLength: 18, maxLength: 18 },
    },
  },
  /**
   * The application whole (`serviceId`, `form`, `materials`), or `{draftId}` alone: the draft's content. A whole
   * body with a `draftId` is submitted as sent and consumes the draft (deleted in the same transaction).
   */
  SubmitApplication: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ...applicationContent,
      version: { type: 'integer', minimum: 1 },
      draftId: draftId,
    },
    if: { required: ['draftId'] },
    // With a draft: the draft alone, or a whole body (then serviceId and form as without one).
    then: { if: { anyOf: [{ required: ['serviceId'] }, { required: ['form'] }, { required: ['materials'] }, { required: ['version'] }] }, then: { required: ['serviceId', 'form'] } },
    else: { required: ['serviceId', 'form'] },
  },
  /**
   * Counter intake (窗口代录): an application a window clerk enters for a person at the counter — the person
   * (`applicant`: name and resident id number) and the application whole, or `{draftId}` alone: the clerk's intake
   * draft (which names the person). A whole body with a `draftId` consumes the draft too.
   */
  CounterIntake: {
    type: 'object',
    additionalProperties: false,
    properties: {
      applicant: applicantSchema,
      ...applicationContent,
      version: { type: 'integer', minimum: 1 },
      draftId: draftId,
    },
    if: { required: ['draftId'] },
    then: { if: { anyOf: [{ required: ['applicant'] }, { required: ['serviceId'] }, { required: ['form'] }, { required: ['materials'] }, { required: ['version'] }] }, then: { required: ['applicant', 'serviceId', 'form'] } },
    else: { required: ['applicant', 'serviceId', 'form'] },
  },
  /** A counter-intake draft begun: the person at the counter and the service (its form and materials come later, as a Draft's). */
  IntakeDraft: {
    type: 'object',
    additionalProperties: false,
    required: ['applicant', 'serviceId'],
    properties: {
      applicant: applicantSchema,
      ...applicationContent,
    },
  },
  /** A draft: the service, the form so far (partial: nothing is required yet) and the materials chosen. */
  Draft: {
    type: 'object',
    additionalProperties: false,
    required: ['serviceId'],
    properties: {
      ...applicationContent,
    },
  },
  /**
   * 办件查询. Both are taken as any text (up to 64 characters): a number of the wrong shape is answered like an
   * unknown one (404 PROGRESS.NOT_FOUND), so the shape check tells nothing either.
   */
  ProgressQuery: {
    type: 'object',
    additionalProperties: false,
    required: ['number', 'code'],
    properties: { number: { type: 'string', maxLength: 64 }, code: { type: 'string', maxLength: 64 } },
  },
  Event: eventRequestSchema,
  Claim: {
    type: 'object',
    additionalProperties: false,
    properties: { matter: id },
  },
  Rating: {
    type: 'object',
    additionalProperties: false,
    required: ['score'],
    properties: { score: { type: 'integer', minimum: 1, maximum: 5 }, comment: { type: 'string', maxLength: 2000 } },
  },
  VerifyCertificate: {
    type: 'object',
    additionalProperties: false,
    required: ['id'],
    properties: { id: { type: 'string', minLength: 1, maxLength: 64 }, signature: { type: 'string', minLength: 1, maxLength: 200 } },
  },
  RevokeCertificate: {
    type: 'object',
    additionalProperties: false,
    required: ['reason'],
    properties: { reason: { type: 'string', minLength: 1, maxLength: 500, pattern: '\\S' } },
  },
  ApplicationFilters: {
    type: 'object',
    additionalProperties: false,
    properties: {
      status: { enum: Object.values(ApplicationStatuses) },
      warning: { enum: Object.values(WarningLevels) },
      department: id,
      kind: { enum: Object.values(TaskKinds) },
      party: { enum: ['clerk', 'applicant'] },
      claimed: { enum: ['me', 'nobody'] },
      stage: { enum: Object.values(QueueStages) },
      serviceId: id,
      sort: { enum: Object.values(QueueSorts) },
      limit: { type: 'integer', minimum: 1, maximum: 200 },
      offset: { type: 'integer', minimum: 0, maximum: 100000 },
    },
  },
  /** The language a template's specimen is drawn in. */
  SpecimenQuery: {
    type: 'object',
    additionalProperties: false,
    properties: { locale: { enum: ['zh-Hans', 'zh-Hant', 'en'] } },
  },
  MetricsPeriod: {
    type: 'object',
    additionalProperties: false,
    properties: {
      from: { type: 'string', format: 'date' },
      to: { type: 'string', format: 'date' },
    },
  },
  EffectFilters: {
    type: 'object',
    additionalProperties: false,
    properties: {
      status: { enum: ['failed', 'pending'] },
      limit: { type: 'integer', minimum: 1, maximum: 200 },
      offset: { type: 'integer', minimum: 0, maximum: 100000 },
    },
  },
  AuditFilters: {
    type: 'object',
    additionalProperties: false,
    properties: {
      subjectKind: { enum: Object.values(AuditSubjectKinds) },
      subjectId: { type: 'string', minLength: 1, maxLength: 160 },
      actorKind: { type: 'string', pattern: '^[a-z]+$', maxLength: 16 },
      actorId: { type: 'string', minLength: 1, maxLength: 64 },
      kind: { type: 'string', pattern: '^[a-z]+\\.[a-z-]+$', maxLength: 40 },
      /** China Standard Time days, or instants; both ends inclusive. */
      from: { anyOf: [{ type: 'string', format: 'date' }, { type: 'string', format: 'date-time' }] },
      to: { anyOf: [{ type: 'string', format: 'date' }, { type: 'string', format: 'date-time' }] },
      afterSeq: { type: 'integer', minimum: 0 },
      beforeSeq: { type: 'integer', minimum: 1 },
      limit: { type: 'integer', minimum: 1, maximum: 500 },
      offset: { type: 'integer', minimum: 0, maximum: 100000 },
    },
  },
} as const;

export type RequestSchemaName = keyof typeof RequestSchemas;
