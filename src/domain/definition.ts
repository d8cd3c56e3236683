/** The typed shape of a service definition (schemas/service-definition.schema.json). Only validated JSON becomes one. */
import type { I18nText } from './i18n.js';
import type { LifeEvent, StepKind } from './vocabulary.js';

/** A JSON Schema used as a condition: the thing applies when the form data matches it. */
export type Condition = boolean | Record<string, unknown>;

export interface Guide {
  conditions?: I18nText;
  basis?: I18nText[];
  fees?: I18nText;
  notes?: I18nText[];
}

export interface MaterialDefinition {
  id: string;
  title: I18nText;
  description?: I18nText;
  required?: boolean;
  when?: Condition;
  satisfiedBy?: string;
  deferrable?: boolean;
  deferDays?: number;
  commitment?: boolean;
  /** 告知承诺核查: who checks the commitment afterwards, within how many working days of completion. */
  postCheck?: { department: string; days: number };
  /** The matters the material supports (their reviewers see it; a refuted commitment revokes their certificates); all when absent. */
  matters?: string[];
  mediaTypes?: string[];
}

export interface CertificateSpec {
  template: string;
  type: string;
  fields: Record<string, string>;
  /**
   * Whose certificate it is when not the applicant: pointers to the holder's id and name in the form (a newborn,
   * an existing enterprise), or a new enterprise whose unified social credit code the issuing authority assigns.
   */
  holder?: { id: string; name: string } | AssignedHolder;
  valid?: string;
}

/** A unified social credit code assigned on issuing (a new enterprise): GB 32100 authority, category and region. */
export interface AssignedHolder {
  assign: 'uscc';
  /** 6-digit administrative division code of the registering authority. */
  region: string;
  /** The organisation category under market regulation ('1' enterprise, '2' individual business); default '1'. */
  category?: '1' | '2' | '3';
  /** Where the form holds the code of an enterprise that has one already: used instead of assigning. */
  existing?: string;
  name: string;
}

export interface MatterDefinition {
  id: string;
  title: I18nText;
  department: string;
  required?: boolean;
  when?: Condition;
  fields: string[];
  certificate?: CertificateSpec;
}

interface StepBase<K extends StepKind> {
  kind: K;
  id?: string;
  title?: I18nText;
}
export interface IntakeStep extends StepBase<'intake'> { window: string }
export interface ReviewStep extends StepBase<'review'> { when?: Condition; matters: MatterDefinition[] }
export interface InspectionStep extends StepBase<'inspection'> { when?: Condition; department: string }
export interface PaymentStep extends StepBase<'payment'> { when?: Condition; amount: number; department: string }
export interface NoticeStep extends StepBase<'notice'> { when?: Condition; days: number; department: string }
export type IssueStep = StepBase<'issue'>;
export type StepDefinition = IntakeStep | ReviewStep | InspectionStep | PaymentStep | NoticeStep | IssueStep;

export interface ProactiveSpec {
  source: string;
  eligibility: Condition;
  form: Record<string, string>;
}

export interface ServiceDefinition {
  $schema?: string;
  id: string;
  version: number;
  title: I18nText;
  summary?: I18nText;
  applicant: 'person' | 'enterprise';
  /** Where the public catalog files the service. */
  lifeEvent?: LifeEvent;
  promisedDays: number;
  warning?: { blue: number; yellow: number };
  guide?: Guide;
  form: { type: 'object'; properties: Record<string, unknown>; examples?: Record<string, unknown>[]; [key: string]: unknown };
  materials: MaterialDefinition[];
  steps: StepDefinition[];
  proactive?: ProactiveSpec;
}

/** What the catalog around a definition knows: the names a definition may refer to. */
export interface CatalogContext {
  departments: ReadonlySet<string>;
  certificateTypes: ReadonlySet<string>;
  /**
   * The certificate templates by name, each with the fields it shows. Unknown until templates exist; when given,
   * unknown template names are errors, and so is a certificate field its template does not show.
   */
  templates?: ReadonlyMap<string, readonly string[]>;
}

/** The step's id, as used for its state in the machine: the explicit id, else its kind. */
export function stepId(step: StepDefinition): string {
  return step.id ?? step.kind;
}
