/**
 * The journey's models (the citizen's application and the clerk's counter intake alike), from the service, the draft
 * and the wallet: which tasks are done (the task list), where each material stands, and the answers as summary rows.
 * Pure: the pages (journey.ts) gather the inputs and render these.
 */
import type { MaterialDefinition, ServiceDefinition } from '../../domain/definition.js';
import type { Locale } from '../../domain/i18n.js';
import { localize } from '../../domain/i18n.js';
import type { MaterialClaim } from '../../definitions/index.js';
import type { Translate } from '../messages/index.js';
import type { FieldModel } from '../form/components.js';
import { sectionPage, sectionsOf, type Section } from '../form/sections.js';
import { sectionErrors } from '../form/validate.js';
import type { Schema } from '../form/schema.js';

export type TaskStatus = 'completed' | 'inProgress' | 'notStarted' | 'optional' | 'cannotStart';

export interface SectionState extends Section {
  status: TaskStatus;
  fields: FieldModel[];
}

export function sectionStates(formSchema: Schema, form: Record<string, unknown>, locale: Locale, t: Translate): SectionState[] {
  return sectionsOf(formSchema, form, locale).map((section) => {
    const page = sectionPage(formSchema, form, section, { locale, t });
    const filled = form[section.key] !== undefined;
    const status: TaskStatus = !filled ? (section.required ? 'notStarted' : 'optional') : sectionErrors(formSchema, form, section.key, page.fields, t).length === 0 ? 'completed' : 'inProgress';
    return { ...section, status, fields: page.fields };
  });
}

/** How a material stands now. */
export type MaterialState =
  | { kind: 'wallet'; certificateId: string; certificateTitle: string; issuedAt: string }
  | { kind: 'uploaded'; fileId: string; fileName: string }
  | { kind: 'committed' }
  | { kind: 'commitment' }
  | { kind: 'deferred' }
  | { kind: 'upload' };

export interface MaterialModel {
  id: string;
  title: string;
  description?: string;
  required: boolean;
  commitment: boolean;
  deferrable: boolean;
  /** Deferrable: the last day it may follow, counted from today as the acceptance (an estimate until accepted). */
  deferredUntil?: string;
  deferDays?: number;
  formats: string;
  accept: string;
  state: MaterialState;
  /** Counted as given: taken from the wallet, uploaded, committed, deferred, or optional. */
  done: boolean;
}

const FORMAT_NAMES: Record<string, string> = { 'application/pdf': 'PDF', 'image/jpeg': 'JPG', 'image/png': 'PNG' };
const DEFAULT_TYPES = ['application/pdf', 'image/jpeg', 'image/png'];

/** What an upload of the material takes: its formats as a hint names them, and the file input's `accept`. */
export function uploadTypes(material: Pick<MaterialDefinition, 'mediaTypes'>): { formats: string; accept: string } {
  const types = material.mediaTypes ?? DEFAULT_TYPES;
  return { formats: types.map((type) => FORMAT_NAMES[type] ?? type).join(' / '), accept: types.join(',') };
}

export interface MaterialInputs {
  definition: ServiceDefinition;
  applies: (material: MaterialDefinition) => boolean;
  claims: readonly MaterialClaim[];
  /** The wallet's usable certificate of a type, as the submission would take it (免提交). */
  fromWallet: (type: string) => { id: string; title: string; issuedAt: string } | undefined;
  fileName: (fileId: string) => string | undefined;
  deferredUntil: (days: number) => string;
  locale: Locale;
}

export function materialModels({ definition, applies, claims, fromWallet, fileName, deferredUntil, locale }: MaterialInputs): MaterialModel[] {
  return definition.materials.filter(applies).map((m) => {
    const claim = claims.find((c) => c.materialId === m.id);
    const wallet = m.satisfiedBy ? fromWallet(m.satisfiedBy) : undefined;
    let state: MaterialState;
    if (claim?.fileId && fileName(claim.fileId) !== undefined) state = { kind: 'uploaded', fileId: claim.fileId, fileName: fileName(claim.fileId)! };
    else if (wallet) state = { kind: 'wallet', certificateId: wallet.id, certificateTitle: wallet.title, issuedAt: wallet.issuedAt };
    else if (m.commitment) state = claim?.commitment ? { kind: 'committed' } : { kind: 'commitment' };
    else if (m.deferrable) state = { kind: 'deferred' };
    else state = { kind: 'upload' };
    const required = m.required !== false;
    const days = m.deferDays ?? definition.promisedDays;
    return {
      id: m.id,
      title: localize(m.title, locale),
      ...(m.description ? { description: localize(m.description, locale) } : {}),
      required,
      commitment: m.commitment === true,
      deferrable: m.deferrable === true,
      ...(m.deferrable ? { deferredUntil: deferredUntil(days), deferDays: days } : {}),
      ...uploadTypes(m),
      state,
      done: !required || state.kind !== 'upload' && state.kind !== 'commitment',
    };
  });
}

/** The claims the submission sends: those of materials that apply (a condition may have turned since). */
export function applicableClaims(claims: readonly MaterialClaim[], materials: readonly MaterialModel[]): MaterialClaim[] {
  const ids = new Set(materials.map((m) => m.id));
  return claims.filter((c) => ids.has(c.materialId));
}

export function materialsStatus(materials: readonly MaterialModel[], claims: readonly MaterialClaim[]): TaskStatus {
  if (materials.every((m) => m.done)) return 'completed';
  return claims.length > 0 ? 'inProgress' : 'notStarted';
}

export interface SummaryRow {
  key: string;
  value: string;
  href: string;
  /** What the Change link changes, for screen readers. */
  hidden: string;
}

/** The answers of a section as summary rows (every question asked, "not provided" when skipped). */
export function summaryRows(fields: readonly FieldModel[], href: (field: FieldModel) => string, t: Translate): SummaryRow[] {
  const rows: SummaryRow[] = [];
  const separator = t('form.listSeparator');
  const walk = (list: readonly FieldModel[]) => {
    for (const field of list) {
      switch (field.component) {
        case 'constant':
          break;
        case 'fieldset':
          walk(field.fields);
          break;
        case 'list':
          if (field.items.length === 0) rows.push(row(field, t('form.notProvided')));
          for (const item of field.items) walk(item.fields);
          break;
        case 'checkboxes':
        case 'radios':
        case 'select':
        case 'yesNo':
          rows.push(row(field, field.items.filter((i) => i.checked).map((i) => i.text).join(separator) || t('form.notProvided')));
          break;
        case 'lines':
          rows.push(row(field, field.value.split('\n').filter(Boolean).join(separator) || t('form.notProvided')));
          break;
        default:
          rows.push(row(field, field.value || t('form.notProvided')));
      }
    }
  };
  const row = (field: FieldModel, value: string): SummaryRow => ({ key: field.subject, value, href: href(field), hidden: field.subject });
  walk(fields);
  return rows;
}
