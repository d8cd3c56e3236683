/**
 * `x-i18n`: the words a form schema gives people, in each language. JSON Schema's `title` and `description` hold one
 * text (the zh-Hans one, kept for tools that read plain JSON Schema); `x-i18n` holds them per language, and the
 * label of every value of an `enum` (or `const`), so a page never shows a value's code (`llc`) or a description that
 * lists codes. An annotation only: it never changes what validates.
 *
 *   "type": { "enum": ["llc", "joint-stock"], "title": "企业类型",
 *     "x-i18n": { "title": { "zh-Hans": "企业类型", "zh-Hant": "企業類型", "en": "Type of company" },
 *                 "enum": { "llc": { "zh-Hans": "有限责任公司", "zh-Hant": "有限責任公司", "en": "Limited liability company" } } } }
 *
 * The shape below is the keyword's meta-schema (ajv checks it when a form is compiled: FORM.INVALID_SCHEMA), and is
 * documented as `$defs/formLabels` in schemas/service-definition.schema.json (a test keeps the two equal).
 */
import type { I18nText } from '../domain/i18n.js';

export const FORM_LABELS_KEYWORD = 'x-i18n';

const text = {
  type: 'object',
  required: ['zh-Hans'],
  additionalProperties: false,
  properties: {
    'zh-Hans': { type: 'string', minLength: 1, maxLength: 4000 },
    'zh-Hant': { type: 'string', minLength: 1, maxLength: 4000 },
    en: { type: 'string', minLength: 1, maxLength: 4000 },
  },
} as const;

export const formLabelsSchema = {
  description: "A form schema's words per language: its title and description, and a label for each enum (or const) value, keyed by the value as JSON text for non-strings.",
  type: 'object',
  additionalProperties: false,
  properties: {
    title: text,
    description: text,
    enum: { type: 'object', additionalProperties: text },
  },
} as const;

export interface FormLabels {
  title?: I18nText;
  description?: I18nText;
  /** By value (a string value as itself, others as their JSON text). */
  enum?: Record<string, I18nText>;
}
