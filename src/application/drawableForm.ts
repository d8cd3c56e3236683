/**
 * What a certificate of a service would print, checked drawable before anything is stored: its fields and a holder's
 * id and name taken from the form. Shared by submissions, supplements and drafts, so that a draft never keeps what its
 * submission would refuse for want of a glyph.
 */
import type { ServiceDefinition } from '../domain/definition.js';
import { getByPointer } from '../domain/pointer.js';

/** Throws CERTIFICATE.GLYPH_MISSING when a character of `text` cannot be drawn on a certificate; `path` names the place. */
export type DrawableCheck = (text: string, path: string) => void;

/**
 * Checks every text of `form` (found at `at` in the request) that a certificate of the definition would print.
 * Answers whether a certificate is held by the applicant (whose account name it then prints).
 */
export function checkDrawableForm(drawable: DrawableCheck, definition: ServiceDefinition, form: unknown, at: string): boolean {
  let applicantHolds = false;
  for (const step of definition.steps) {
    if (step.kind !== 'review') continue;
    for (const matter of step.matters) {
      const certificate = matter.certificate;
      if (!certificate) continue;
      const holder = certificate.holder;
      if (!holder) applicantHolds = true;
      const holderPointers = !holder ? [] : 'id' in holder ? [holder.id, holder.name] : [holder.name, ...(holder.existing !== undefined ? [holder.existing] : [])];
      for (const pointer of [...Object.values(certificate.fields), ...holderPointers]) {
        for (const [text, where] of strings(getByPointer(form, pointer), pointer)) drawable(text, `${at}${where}`);
      }
    }
  }
  return applicantHolds;
}

/** The strings in a form value, each with its pointer (lists and objects of strings included). */
function strings(value: unknown, at: string): [string, string][] {
  if (typeof value === 'string') return [[value, at]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${at}/${i}`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`));
  return [];
}
