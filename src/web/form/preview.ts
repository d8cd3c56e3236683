/**
 * A form drawn to be looked at, not filled in (the definition editor's preview): the sections a citizen meets on
 * an empty form, each built as its question page builds it, so the views draw them with the same field macro. The
 * form is drawn once per language on one page, so every id and name is put under a prefix: no two controls share
 * an id (a label would name the wrong one) or a radio group.
 */
import type { BuildContext, FieldModel } from './components.js';
import { sectionPage, sectionsOf, type SectionPage } from './sections.js';
import type { Schema } from './schema.js';

export interface PreviewSection extends SectionPage {
  /** The section's title, marked optional when it may be left out (its page's heading says so on the task list). */
  heading: string;
}

export function formPreview(formSchema: Schema, ctx: BuildContext, prefix: string): PreviewSection[] {
  return sectionsOf(formSchema, {}, ctx.locale).map((section) => {
    const page = sectionPage(formSchema, {}, section, ctx);
    const heading = section.required ? section.title : ctx.t('form.optionalLabel', { label: section.title });
    return { ...page, heading, fields: page.fields.map((f) => underPrefix(f, prefix)) };
  });
}

function underPrefix(field: FieldModel, prefix: string): FieldModel {
  const moved = { ...field, id: `${prefix}-${field.id}`, name: `${prefix}:${field.name}` };
  if (moved.component === 'fieldset') return { ...moved, fields: moved.fields.map((f) => underPrefix(f, prefix)) };
  if (moved.component === 'list') {
    return { ...moved, countName: `${prefix}:${moved.countName}`, items: moved.items.map((item) => ({ ...item, id: `${prefix}-${item.id}`, fields: item.fields.map((f) => underPrefix(f, prefix)) })) };
  }
  return moved;
}
