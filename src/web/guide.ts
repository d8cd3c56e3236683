/**
 * A service's guide (办事指南 / 一次告知) as the pages show it: what the bundle includes and who does it, every
 * material with how it may be skipped, the steps of the flow. Built from the published definition alone.
 */
import type { MaterialDefinition, ServiceDefinition, StepDefinition } from '../domain/definition.js';
import { localize, type I18nText, type Locale } from '../domain/i18n.js';
import type { CertificateType, Department } from '../definitions/index.js';
import type { Translate } from './messages/index.js';

export interface GuideMatter {
  title: string;
  department: string;
  certificate?: string;
  optional: boolean;
}

export interface GuideMaterial {
  id: string;
  title: string;
  description?: string;
  requirement: 'required' | 'conditional' | 'optional';
  /** Sentences saying how the material may be skipped; empty when it must be uploaded. */
  skips: string[];
  formats: string;
}

export interface GuideModel {
  id: string;
  title: string;
  summary: string;
  applicant: ServiceDefinition['applicant'];
  promisedDays: number;
  window?: string;
  matters: GuideMatter[];
  materials: GuideMaterial[];
  conditions?: string;
  fees?: string;
  basis: string[];
  notes: string[];
  steps: string[];
  /** The flow: each step, a review step with its matters side by side. */
  flow: FlowStep[];
}

export interface FlowStep {
  title: string;
  parallel: string[];
}

const FORMAT_NAMES: Record<string, string> = { 'application/pdf': 'PDF', 'image/jpeg': 'JPG', 'image/png': 'PNG' };

export function guideOf(definition: ServiceDefinition, reference: { departments: readonly Department[]; certificateTypes: readonly CertificateType[] }, locale: Locale, t: Translate): GuideModel {
  const l = (text: I18nText | undefined) => (text ? localize(text, locale) : '');
  const department = (id: string) => l(reference.departments.find((d) => d.id === id)?.title) || id;
  const certificateType = (id: string) => l(reference.certificateTypes.find((c) => c.id === id)?.title) || id;
  const intake = definition.steps.find((s) => s.kind === 'intake');
  const matters = definition.steps.flatMap((step) =>
    step.kind === 'review'
      ? step.matters.map((m) => ({
          title: l(m.title),
          department: department(m.department),
          ...(m.certificate ? { certificate: certificateType(m.certificate.type) } : {}),
          optional: m.required === false || m.when !== undefined || step.when !== undefined,
        }))
      : [],
  );
  const materials = definition.materials.map((m) => materialOf(m, definition.promisedDays, t, department, certificateType, l));
  return {
    id: definition.id,
    title: l(definition.title),
    summary: l(definition.summary),
    applicant: definition.applicant,
    promisedDays: definition.promisedDays,
    ...(intake?.kind === 'intake' ? { window: department(intake.window) } : {}),
    matters,
    materials,
    ...(definition.guide?.conditions ? { conditions: l(definition.guide.conditions) } : {}),
    ...(definition.guide?.fees ? { fees: l(definition.guide.fees) } : {}),
    basis: (definition.guide?.basis ?? []).map(l),
    notes: (definition.guide?.notes ?? []).map(l),
    steps: [...definition.steps.map((s) => stepTitle(s, t, l)), t('step.complete')],
    flow: [...definition.steps.map((s) => ({ title: stepTitle(s, t, l), parallel: s.kind === 'review' ? s.matters.map((m) => l(m.title)) : [] })), { title: t('step.complete'), parallel: [] }],
  };
}

function materialOf(m: MaterialDefinition, promisedDays: number, t: Translate, department: (id: string) => string, certificateType: (id: string) => string, l: (text: I18nText | undefined) => string): GuideMaterial {
  const skips: string[] = [];
  if (m.satisfiedBy) skips.push(t('guide.fromWallet', { type: certificateType(m.satisfiedBy) }));
  if (m.commitment && m.postCheck) skips.push(t('guide.byCommitment', { department: department(m.postCheck.department), days: m.postCheck.days }));
  if (m.deferrable) skips.push(t('guide.deferred', { days: m.deferDays ?? promisedDays }));
  return {
    id: m.id,
    title: l(m.title),
    ...(m.description ? { description: l(m.description) } : {}),
    requirement: m.required === false ? 'optional' : m.when !== undefined ? 'conditional' : 'required',
    skips,
    formats: t('guide.mediaTypes', { types: (m.mediaTypes ?? ['application/pdf', 'image/jpeg', 'image/png']).map((type) => FORMAT_NAMES[type] ?? type).join(' / ') }),
  };
}

function stepTitle(step: StepDefinition, t: Translate, l: (text: I18nText | undefined) => string): string {
  return step.title ? l(step.title) : t(`step.${step.kind}`);
}
