/** All message areas merged per language, and `translator(locale)` for the pages. */
import { Locales, type Locale } from '../../domain/i18n.js';
import type { MessageArea, Messages } from './define.js';
import { common } from './common.js';
import { publicPages } from './public.js';
import { problems } from './problems.js';
import { apply } from './apply.js';
import { portal } from './portal.js';
import { admin } from './admin.js';
import { work } from './work.js';
import { intake } from './intake.js';
import { reference } from './reference.js';

/** Every area, by name; the message test walks these. */
export const AREAS = { common, publicPages, problems, apply, portal, admin, work, intake, reference } as const satisfies Record<string, MessageArea<Record<string, string>>>;

export const MESSAGES: Messages = Object.fromEntries(
  Locales.map((locale) => [locale, Object.assign({}, ...Object.values(AREAS).map((area) => area[locale]))]),
) as Messages;

export type Translate = (key: string, params?: Record<string, unknown>) => string;

/**
 * The translator of one language. An unknown key is a bug in a page, so it throws (a test renders every page);
 * a placeholder without a value is left visible rather than guessed.
 */
export function translator(locale: Locale): Translate {
  const table = MESSAGES[locale];
  return (key, params) => {
    const text = table[key];
    if (text === undefined) throw new Error(`no message "${key}" in ${locale}`);
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => (params[name] === undefined || params[name] === null ? whole : String(params[name])));
  };
}
