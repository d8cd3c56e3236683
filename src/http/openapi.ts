/**
 * The OpenAPI 3.1 document, generated from the schemas requests are checked with (application/schemas.ts,
 * the event schema, the service-definition schema) and from the one error registry. A test checks that
 * it is a valid OpenAPI 3.1 document and that it lists exactly the routes the router serves.
 */
import { ErrorCodes, IssueCodes, type ErrorCode } from '../domain/errors.js';
import { ApplicationStatuses, WarningLevels } from '../domain/vocabulary.js';
import { RequestSchemas } from '../application/schemas.js';
import { ProgressStates } from '../application/progress.js';
import { ReferenceSchemas } from '../definitions/reference.js';
import { ErrorStatuses, INTERNAL_PROBLEM } from './problem.js';

type Method = 'get' | 'post' | 'put' | 'delete';
interface Route {
  method: Method;
  path: string;
  summary: string;
  /** Who may call it (docs/api.md). */
  who: 'anyone' | 'signed in' | 'citizen' | 'clerk' | 'citizen or clerk' | 'admin';
  body?: string | 'multipart' | 'definition' | 'reference' | 'template';
  response?: string;
  status?: number;
  /** The request schema its query string is checked with. */
  query?: 'ApplicationFilters' | 'EffectFilters' | 'MetricsPeriod' | 'AuditFilters' | 'ProgressQuery' | 'SpecimenQuery';
}

export const ROUTES: readonly Route[] = [
  { method: 'get', path: '/openapi.json', summary: 'This document', who: 'anyone' },
  { method: 'post', path: '/auth/login', summary: 'Sign in; also sets the HttpOnly session cookie', who: 'anyone', body: 'Login', response: 'Session' },
  { method: 'post', path: '/auth/logout', summary: 'Sign out: the session, if any, is revoked (safe to repeat)', who: 'anyone', status: 204 },
  { method: 'post', path: '/auth/register', summary: 'Citizen self-registration (resident id checksum verified; password rule: 10+ characters, not a common password). A well-formed registration is answered 202 with the same body whether or not an account was created: with a username that is taken, or a resident id number that has an account, nothing is created (the holder of that account is told at their next sign-in). Rate limited per client address', who: 'anyone', body: 'Register', response: 'RegistrationAccepted', status: 202 },
  { method: 'get', path: '/auth/me', summary: 'The signed-in user', who: 'signed in', response: 'User' },
  { method: 'get', path: '/services', summary: 'The published catalog', who: 'anyone' },
  { method: 'get', path: '/services/{id}', summary: 'One service: notice, form schema, materials, guide, diagram', who: 'anyone' },
  { method: 'get', path: '/progress', summary: '办件查询: where an application stands, by its number and the check code on its receipt, without signing in — status, service, each department\'s part with its state and when, the deadline; nothing personal. A wrong pair, an unknown number and a malformed one all answer the same 404 PROGRESS.NOT_FOUND. Wrong lookups are limited (429 AUTH.RATE_LIMITED): 10 per client address in 15 minutes, 30 per application number in a day; found ones are not counted', who: 'anyone', query: 'ProgressQuery', response: 'Progress' },
  { method: 'post', path: '/applications', summary: 'Apply for a service: the whole application, or {draftId} alone to submit a draft as saved (a whole body with a draftId consumes the draft too). The draft is deleted in the submission\'s transaction (a draft submitted twice makes one application; the other answer is 404 DRAFT.NOT_FOUND). The answer carries the check code for the receipt (checkCode), given this once', who: 'citizen', body: 'SubmitApplication', response: 'SubmittedApplication', status: 201 },
  { method: 'get', path: '/applications', summary: "A citizen's own applications, newest first; a clerk's queue: the open tasks of their departments (with who holds each), nearest deadline first", who: 'citizen or clerk', query: 'ApplicationFilters' },
  { method: 'get', path: '/applications/{id}', summary: 'One application with its timeline; a reviewer sees only their matters\' fields', who: 'citizen or clerk', response: 'Application' },
  { method: 'post', path: '/applications/{id}/events', summary: 'Act on the application (If-Match: the version seen)', who: 'citizen or clerk', body: 'Event', response: 'Application' },
  { method: 'post', path: '/applications/{id}/claim', summary: 'Take the intake task or a matter\'s task', who: 'clerk', body: 'Claim', response: 'Application' },
  { method: 'post', path: '/applications/{id}/release', summary: 'Give a claimed task back', who: 'clerk', body: 'Claim', response: 'Application' },
  { method: 'get', path: '/applications/{id}/materials/{materialId}', summary: 'The uploaded file behind a material, for the applicant and the clerks of the application', who: 'citizen or clerk' },
  { method: 'post', path: '/applications/{id}/rating', summary: 'Rate the service once it is done', who: 'citizen', body: 'Rating', response: 'Application', status: 201 },
  { method: 'post', path: '/applications/{id}/check-code', summary: 'Reprint the receipt: a new check code (查询码) for the application, which replaces the old one (from now on only the new one opens GET /progress). For its applicant, and a clerk of its window for them (a reviewer: 403). Given in this answer only (Cache-Control: no-store) and stored as a hash; the audit trail records who reprinted it, never the code', who: 'citizen or clerk', response: 'CheckCode', status: 201 },
  { method: 'post', path: '/intake/applications', summary: 'Counter intake (窗口代录): a clerk of the service\'s intake window enters an application for the person at the counter, identified by name and resident id number (checksum verified), with or without an online account: the whole application, or {draftId} alone to submit an intake draft. The application is the account\'s with that id number, or, without one, the person\'s, theirs once they register with it; their wallet serves its materials; the files cited are the clerk\'s scans and become the applicant\'s. The submission\'s event records the clerk (timeline entry enteredBy); the audit trail names the clerk as actor. A name other than the one kept for the id number is 409 APPLICANT.MISMATCH. The answer shows the person with the masked id number and carries the receipt\'s check code (checkCode), given this once', who: 'clerk', body: 'CounterIntake', status: 201 },
  { method: 'get', path: '/intake/drafts', summary: 'Your counter-intake drafts, the last changed first (the person masked, without the content)', who: 'clerk' },
  { method: 'post', path: '/intake/drafts', summary: 'Begin a counter-intake draft for the person at the counter (name, resident id number) and a service your window takes in; the form and materials as at POST /drafts', who: 'clerk', body: 'IntakeDraft', status: 201 },
  { method: 'get', path: '/intake/drafts/{id}', summary: 'One of your counter-intake drafts; anyone else\'s is 404 DRAFT.NOT_FOUND, as an unknown id', who: 'clerk' },
  { method: 'put', path: '/intake/drafts/{id}', summary: 'Replace a counter-intake draft\'s form and materials (the person and the service stay)', who: 'clerk', body: 'Draft' },
  { method: 'delete', path: '/intake/drafts/{id}', summary: 'Delete a counter-intake draft', who: 'clerk', status: 204 },
  { method: 'get', path: '/drafts', summary: 'Your drafts, the last changed first (without their content)', who: 'citizen', response: 'DraftList' },
  { method: 'post', path: '/drafts', summary: 'Keep a draft: the service, the form so far (partial: nothing is required yet; at most 64 KiB and 16 levels, no control characters, what a certificate would print drawable) and the materials chosen. At most 50 drafts (409 DRAFT.LIMIT_REACHED)', who: 'citizen', body: 'Draft', response: 'Draft', status: 201 },
  { method: 'get', path: '/drafts/{id}', summary: 'One of your drafts, to resume it; anyone else\'s is 404 DRAFT.NOT_FOUND, as an unknown id', who: 'citizen', response: 'Draft' },
  { method: 'put', path: '/drafts/{id}', summary: 'Replace a draft\'s content (checked as at POST /drafts)', who: 'citizen', body: 'Draft', response: 'Draft' },
  { method: 'delete', path: '/drafts/{id}', summary: 'Delete a draft', who: 'citizen', status: 204 },
  { method: 'post', path: '/files', summary: 'Upload a material (PDF, JPEG or PNG, sniffed from its content)', who: 'citizen or clerk', body: 'multipart', response: 'File', status: 201 },
  { method: 'get', path: '/files/{id}', summary: 'A file of yours', who: 'signed in', response: 'File' },
  { method: 'get', path: '/files/{id}/content', summary: 'The bytes of a file of yours', who: 'signed in' },
  { method: 'get', path: '/certificates', summary: 'The wallet (证照夹): your certificates, usable ones first', who: 'citizen' },
  { method: 'post', path: '/certificates/verify', summary: 'Verify a certificate by {id, signature}, or an uploaded PDF (field "file"): valid, revoked, superseded, expired, tampered or unknown', who: 'anyone', body: 'VerifyCertificate' },
  { method: 'get', path: '/certificates/{id}', summary: 'One certificate: its signed record and status', who: 'citizen or clerk' },
  { method: 'get', path: '/certificates/{id}/pdf', summary: 'The certificate as a PDF, signed record embedded', who: 'citizen or clerk' },
  { method: 'post', path: '/certificates/{id}/revoke', summary: 'Revoke, with a reason (clerks of the issuing department)', who: 'clerk', body: 'RevokeCertificate' },
  { method: 'post', path: '/certificates/{id}/reissue', summary: 'Reissue: a new id, the old one superseded (clerks of the issuing department)', who: 'clerk', status: 201 },
  { method: 'post', path: '/applications/{id}/materials/{materialId}/refute', summary: 'A commitment (告知承诺) found false by its post-check department: revokes the certificates of the matters it supports and closes the post-check', who: 'clerk', body: 'RevokeCertificate' },
  { method: 'post', path: '/applications/{id}/materials/{materialId}/confirm', summary: 'A commitment (告知承诺) found true by its post-check department: closes the post-check task', who: 'clerk' },
  { method: 'post', path: '/definitions/validate', summary: 'Validate a definition: every error with its path, and the diagram', who: 'admin', body: 'definition' },
  { method: 'post', path: '/definitions', summary: 'Publish a definition as its next version', who: 'admin', body: 'definition', status: 201 },
  { method: 'get', path: '/definitions/{id}/versions', summary: 'Published versions of a service', who: 'admin' },
  { method: 'get', path: '/users', summary: 'Accounts, with whether each is disabled', who: 'admin', response: 'Accounts' },
  { method: 'post', path: '/users', summary: 'Add an account (password rule: 10+ characters, not a common password)', who: 'admin', body: 'NewUser', response: 'User', status: 201 },
  { method: 'post', path: '/users/{id}/disable', summary: 'Disable an account: it cannot sign in, and its sessions end at once. Not your own account (409 USER.OWN_ACCOUNT)', who: 'admin', response: 'Account' },
  { method: 'post', path: '/users/{id}/enable', summary: 'Let a disabled account sign in again (its ended sessions stay ended)', who: 'admin', response: 'Account' },
  { method: 'get', path: '/reference', summary: 'The departments, certificate types and certificate templates (id and title) there are now: what definitions may name', who: 'anyone', response: 'Reference' },
  { method: 'get', path: '/reference/{kind}/{id}', summary: 'One department (kind department), certificate type (certificate-type) or template (template) as saved, with its revision, when and by whom it was last saved (editedBy null: the shipped files)', who: 'admin' },
  { method: 'put', path: '/reference/{kind}/{id}', summary: 'Add or replace a department, certificate type (its issuer a department) or certificate template, in use at once on every instance, no restart. The body\'s id is the one in the address; ids are never renamed (definitions and certificates name them). The shipped files no longer change an entry once an admin saved it. Invalid: 422 REFERENCE.INVALID or TEMPLATE.INVALID with every error', who: 'admin', body: 'reference' },
  { method: 'get', path: '/reference/template/{id}/specimen', summary: 'A saved template drawn as a specimen PDF (样本) on sample values: marked as a specimen, nothing signed; in the language asked (zh-Hans unless another)', who: 'admin', query: 'SpecimenQuery' },
  { method: 'post', path: '/reference/template/specimen', summary: 'A template not yet saved drawn as a specimen PDF (checked first: 422 TEMPLATE.INVALID with every error)', who: 'admin', body: 'template', query: 'SpecimenQuery' },
  { method: 'get', path: '/calendar/{year}', summary: 'The working-day calendar of a year', who: 'admin' },
  { method: 'put', path: '/calendar/{year}', summary: 'Replace the working-day calendar of a year', who: 'admin' },
  { method: 'get', path: '/metrics', summary: 'The period\'s figures (submitted, finished, one-visit, on-time and no-submit rates, ratings; per service and per day) and the work in progress now (by status, warning level and department; effects waiting or given up)', who: 'admin', query: 'MetricsPeriod' },
  { method: 'get', path: '/effects', summary: 'Outbox effects that gave up (status=failed, the default) or are waiting (status=pending), oldest first', who: 'admin', query: 'EffectFilters', response: 'Effects' },
  { method: 'post', path: '/effects/{id}/retry', summary: 'Put a failed effect back to work: pending, due at once, its attempts reset', who: 'admin', response: 'Effect' },
  { method: 'get', path: '/audit', summary: 'The audit trail, newest first: application events, sign-ins (failed ones too), publications, account and calendar changes, certificates issued, revoked, reissued and verified; by subject, actor, kind and period (from/to: China Standard Time days or instants), paged by limit/offset or seq (afterSeq, beforeSeq). `onevisit audit verify` checks its hash chain', who: 'admin', query: 'AuditFilters', response: 'AuditEntries' },
];

const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'code', 'detail'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: {
      description: 'What was refused: a code of the error registry, each with one status (docs/errors.md)',
      enum: [...Object.keys(ErrorCodes), INTERNAL_PROBLEM.code],
      'x-enumDescriptions': {
        ...Object.fromEntries(Object.entries(ErrorCodes).map(([code, title]) => [code, `${ErrorStatuses[code as ErrorCode]}: ${title}`])),
        [INTERNAL_PROBLEM.code]: `${INTERNAL_PROBLEM.status}: ${INTERNAL_PROBLEM.title}`,
      },
    },
    detail: { type: 'string' },
    errors: {
      description: 'What is wrong, each issue at a JSON Pointer into the input',
      type: 'array',
      items: {
        type: 'object',
        required: ['path', 'code', 'message'],
        properties: {
          path: { type: 'string' },
          code: {
            description: 'A code of the issue registry (docs/errors.md)',
            enum: Object.keys(IssueCodes),
            'x-enumDescriptions': Object.fromEntries(Object.entries(IssueCodes).map(([code, { meaning }]) => [code, meaning])),
          },
          message: { type: 'string' },
        },
      },
    },
  },
};

const responseSchemas = {
  User: {
    type: 'object',
    required: ['id', 'username', 'role', 'departments', 'name', 'idNumberMasked'],
    properties: {
      id: { type: 'string' },
      username: { type: 'string' },
      role: { enum: ['citizen', 'clerk', 'admin'] },
      departments: { type: 'array', items: { type: 'string' } },
      name: { type: 'string' },
      idNumberMasked: { type: ['string', 'null'] },
    },
  },
  Account: {
    allOf: [{ $ref: '#/components/schemas/User' }],
    type: 'object',
    required: ['disabled', 'disabledAt'],
    properties: { disabled: { type: 'boolean' }, disabledAt: { type: ['string', 'null'], format: 'date-time' } },
  },
  Accounts: { type: 'array', items: { $ref: '#/components/schemas/Account' } },
  Reference: {
    type: 'object',
    required: ['departments', 'certificateTypes', 'templates'],
    properties: {
      departments: { type: 'array', items: ReferenceSchemas.department },
      certificateTypes: { type: 'array', items: ReferenceSchemas.certificateType },
      templates: { type: 'array', items: { type: 'object', required: ['id', 'title'], properties: { id: { type: 'string' }, title: { type: 'object' } } } },
    },
  },
  RegistrationAccepted: {
    type: 'object',
    required: ['status', 'message'],
    properties: { status: { const: 'accepted' }, message: { type: 'string' } },
  },
  Session: {
    type: 'object',
    required: ['token', 'csrfToken', 'expiresAt', 'user', 'notices'],
    properties: {
      token: { type: 'string' },
      csrfToken: { type: 'string' },
      expiresAt: { type: 'string', format: 'date-time' },
      user: { $ref: '#/components/schemas/User' },
      notices: {
        description: 'What the account holder is told once, at this sign-in (e.g. REGISTRATION.ID_NUMBER_USED: someone registered with their resident id number)',
        type: 'array',
        items: {
          type: 'object',
          required: ['code', 'count', 'firstAt', 'lastAt', 'message'],
          properties: { code: { type: 'string' }, count: { type: 'integer' }, firstAt: { type: 'string', format: 'date-time' }, lastAt: { type: 'string', format: 'date-time' }, message: { type: 'string' } },
        },
      },
    },
  },
  Application: {
    type: 'object',
    required: ['id', 'number', 'serviceId', 'serviceVersion', 'status', 'state', 'version', 'form', 'warning', 'timeline'],
    properties: {
      id: { type: 'string' },
      number: { type: 'string' },
      serviceId: { type: 'string' },
      serviceVersion: { type: 'integer' },
      status: { enum: Object.values(ApplicationStatuses) },
      state: { type: 'string' },
      version: { type: 'integer' },
      form: { type: 'object' },
      materials: { type: 'object' },
      matters: { type: 'object' },
      dueAt: { type: ['string', 'null'], format: 'date-time' },
      warning: { enum: Object.values(WarningLevels) },
      timeline: { type: 'array', items: { type: 'object' } },
      applicant: {
        type: 'object',
        description: 'Who the application is for, shown to its applicant and the window, never to a reviewer: the name, the resident id number masked (never the full one), and whether an online account holds the application (made online, or entered at a counter for a person whose id number has an account; without one they register with it to follow it online)',
        required: ['name', 'idNumberMasked', 'hasAccount'],
        properties: { name: { type: 'string' }, idNumberMasked: { type: ['string', 'null'] }, hasAccount: { type: 'boolean' } },
      },
      owedBy: { type: 'string', format: 'date-time', description: 'While deferred materials (owed) wait after acceptance: the last instant they may follow (PROVIDE_MATERIALS); the application is terminated after it' },
      mayRate: { type: 'boolean', description: 'Whether the reader may rate the service now (POST /applications/{id}/rating): the applicant, once it is completed or rejected, until rated (the rating, once given, is `rating`)' },
    },
  },
  CheckCode: {
    type: 'object',
    required: ['checkCode'],
    properties: {
      checkCode: { type: 'string', pattern: '^[2-9A-HJKMNP-Z]{6}$', description: "The receipt's new check code (查询码): given in this answer only, stored as a hash; the old code no longer opens GET /progress" },
    },
  },
  SubmittedApplication: {
    allOf: [{ $ref: '#/components/schemas/Application' }],
    type: 'object',
    required: ['checkCode'],
    properties: {
      checkCode: { type: 'string', pattern: '^[2-9A-HJKMNP-Z]{6}$', description: 'The check code (查询码) for the receipt and GET /progress: given in this answer only, stored as a hash' },
    },
  },
  Progress: {
    type: 'object',
    required: ['number', 'status', 'service', 'submittedAt', 'updatedAt', 'steps', 'deadline'],
    properties: {
      number: { type: 'string' },
      status: { enum: Object.values(ApplicationStatuses) },
      service: { type: 'object', required: ['id', 'version', 'title'], properties: { id: { type: 'string' }, version: { type: 'integer' }, title: { type: 'object' } } },
      submittedAt: { type: 'string', format: 'date-time' },
      updatedAt: { type: 'string', format: 'date-time' },
      steps: {
        description: "Each department's part, in the service's order: the window's intake, every matter of every review step, every inspection, payment and notice step",
        type: 'array',
        items: {
          type: 'object',
          required: ['kind', 'title', 'department', 'departmentTitle', 'state', 'at'],
          properties: {
            kind: { enum: ['intake', 'review', 'inspection', 'payment', 'notice'] },
            matter: { type: 'string' },
            title: { type: 'object' },
            department: { type: 'string' },
            departmentTitle: { type: 'object' },
            state: { enum: [...ProgressStates] },
            at: { type: ['string', 'null'], format: 'date-time' },
          },
        },
      },
      deadline: {
        type: 'object',
        required: ['promisedDays', 'extensionDays', 'clock', 'dueAt', 'workingDaysLeft', 'overdue', 'warning'],
        properties: {
          promisedDays: { type: 'integer' },
          extensionDays: { type: 'integer' },
          clock: { enum: ['idle', 'running', 'paused', 'stopped'] },
          dueAt: { type: ['string', 'null'], format: 'date-time' },
          workingDaysLeft: { type: ['integer', 'null'], description: 'Working days after today up to the day the deadline falls on (0 on that day); negative once that day is past; null without a running deadline' },
          overdue: { type: 'boolean' },
          warning: { enum: Object.values(WarningLevels) },
        },
      },
    },
  },
  Draft: {
    type: 'object',
    required: ['id', 'serviceId', 'form', 'materials', 'createdAt', 'updatedAt'],
    properties: {
      id: { type: 'string' },
      serviceId: { type: 'string' },
      form: { type: 'object' },
      materials: { type: 'array', items: { type: 'object' } },
      createdAt: { type: 'string', format: 'date-time' },
      updatedAt: { type: 'string', format: 'date-time' },
    },
  },
  DraftList: {
    type: 'array',
    items: {
      type: 'object',
      required: ['id', 'serviceId', 'createdAt', 'updatedAt'],
      properties: { id: { type: 'string' }, serviceId: { type: 'string' }, createdAt: { type: 'string', format: 'date-time' }, updatedAt: { type: 'string', format: 'date-time' } },
    },
  },
  Effect: {
    type: 'object',
    required: ['id', 'applicationId', 'seq', 'effect', 'status', 'attempts', 'lastError', 'createdAt', 'failedAt', 'leaseUntil'],
    properties: {
      id: { type: 'string' },
      applicationId: { type: 'string' },
      seq: { type: 'integer' },
      effect: { type: 'object', required: ['effect'], properties: { effect: { enum: ['issueCertificates', 'scheduleTimer'] } } },
      status: { enum: ['pending', 'done', 'failed'] },
      attempts: { type: 'integer' },
      lastError: { type: ['string', 'null'] },
      createdAt: { type: 'string', format: 'date-time' },
      failedAt: { type: ['string', 'null'], format: 'date-time' },
      leaseUntil: { type: ['string', 'null'], format: 'date-time' },
    },
  },
  Effects: { type: 'array', items: { $ref: '#/components/schemas/Effect' } },
  AuditEntry: {
    type: 'object',
    required: ['seq', 'at', 'kind', 'actor', 'subject', 'detail', 'prevHash', 'hash'],
    properties: {
      seq: { type: 'integer' },
      at: { type: 'string', format: 'date-time' },
      kind: { type: 'string' },
      actor: { type: 'object', required: ['kind', 'id'], properties: { kind: { type: 'string' }, id: { type: ['string', 'null'] } } },
      subject: { type: 'object', required: ['kind', 'id'], properties: { kind: { type: 'string' }, id: { type: 'string' } } },
      detail: { type: 'object' },
      prevHash: { type: 'string', description: 'SHA-256 (hex) of the previous entry' },
      hash: { type: 'string', description: 'SHA-256 (hex) of this entry over canonical JSON (RFC 8785)' },
    },
  },
  AuditEntries: { type: 'array', items: { $ref: '#/components/schemas/AuditEntry' } },
  File: {
    type: 'object',
    required: ['fileId', 'sha256', 'size', 'mediaType'],
    properties: { fileId: { type: 'string' }, sha256: { type: 'string' }, size: { type: 'integer' }, mediaType: { enum: ['application/pdf', 'image/jpeg', 'image/png'] } },
  },
};

const cache = new WeakMap<object, object>();

/** The document; `definitionSchema` (schemas/service-definition.schema.json) is embedded as ServiceDefinition. */
export function openApiDocument(definitionSchema: object = {}): object {
  const hit = cache.get(definitionSchema);
  if (hit) return hit;
  const paths: Record<string, Record<string, object>> = {};
  for (const route of ROUTES) {
    const parameters = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    if (route.query) {
      const query: { properties: object; required?: readonly string[] } = RequestSchemas[route.query];
      for (const [name, schema] of Object.entries(query.properties)) parameters.push({ name, in: 'query', required: query.required?.includes(name) ?? false, schema } as never);
    }
    if (route.body === 'Event') parameters.push({ name: 'If-Match', in: 'header', required: false, schema: { type: 'string' } } as never);
    const status = String(route.status ?? 200);
    (paths[route.path] ??= {})[route.method] = {
      summary: route.summary,
      description: `Who: ${route.who}.`,
      operationId: `${route.method}${route.path.replace(/\{(\w+)\}/g, 'By-$1').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      ...(route.who === 'anyone' ? { security: [] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(route.body ? { requestBody: requestBody(route.body) } : {}),
      responses: {
        [status]: status === '204' ? { description: 'Done' } : { description: 'OK', content: { 'application/json': { schema: route.response ? { $ref: `#/components/schemas/${route.response}` } : {} } } },
        default: { description: 'A problem (RFC 9457)', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
      },
    };
  }
  const document = {
    openapi: '3.1.0',
    info: {
      title: 'onevisit API',
      version: '1',
      description: `"One thing, one visit" (一件事一次办). Errors are problem+json; their codes and statuses: ${Object.entries(ErrorStatuses)
        .map(([code, status]) => `${code} ${status}`)
        .join(', ')}.`,
    },
    servers: [{ url: '/api/v1' }],
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    security: [{ bearer: [] }, { cookie: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'The token from POST /auth/login.' },
        cookie: { type: 'apiKey', in: 'cookie', name: 'onevisit_session', description: 'Browser sessions; writes also send X-CSRF-Token.' },
      },
      schemas: {
        ...Object.fromEntries(Object.entries(RequestSchemas).map(([name, schema]) => [name, schema])),
        ...responseSchemas,
        Problem: problemSchema,
        ServiceDefinition: embedded(definitionSchema, '#/components/schemas/ServiceDefinition'),
      },
    },
  };
  cache.set(definitionSchema, document);
  return document;
}

/** A standalone schema placed inside the document: its internal references re-rooted at `at`. */
function embedded(schema: object, at: string): object {
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value === null || typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      if (key === '$schema' || key === '$id') continue;
      out[key] = key === '$ref' && typeof child === 'string' && child.startsWith('#') ? `${at}${child.slice(1)}` : rewrite(child);
    }
    return out;
  };
  return rewrite(schema) as object;
}

/** A certificate template: schemas/certificate-template.schema.json. */
const templateBody = { type: 'object', required: ['id', 'title', 'page', 'fields', 'authority', 'qr'], description: 'A certificate template (schemas/certificate-template.schema.json)' };

function requestBody(body: string): object {
  if (body === 'multipart') {
    return {
      required: true,
      content: { 'multipart/form-data': { schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', contentMediaType: 'application/octet-stream' } } } } },
    };
  }
  const schema =
    body === 'definition'
      ? { $ref: '#/components/schemas/ServiceDefinition' }
      : body === 'reference'
        ? { oneOf: [ReferenceSchemas.department, ReferenceSchemas.certificateType, templateBody], description: 'The entry of the kind in the address' }
        : body === 'template'
          ? templateBody
          : { $ref: `#/components/schemas/${body}` };
  return { required: true, content: { 'application/json': { schema } } };
}
