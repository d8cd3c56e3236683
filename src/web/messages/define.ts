/**
 * Message files: one per area of the site, each written in zh-Hans first. The other languages are typed from it
 * (`Translations<typeof zhHans>`), so a key missing in zh-Hant or en fails the build; a test compares the
 * placeholders (`{name}`) of every key across the three.
 */
import type { Locale } from '../../domain/i18n.js';

export type Translations<T extends Record<string, string>> = { readonly [K in keyof T]: string };

export interface MessageArea<T extends Record<string, string>> {
  readonly 'zh-Hans': T;
  readonly 'zh-Hant': Translations<T>;
  readonly en: Translations<T>;
}

export function defineMessages<T extends Record<string, string>>(zhHans: T, others: { 'zh-Hant': Translations<T>; en: Translations<T> }): MessageArea<T> {
  return { 'zh-Hans': zhHans, ...others };
}

export type Messages = Record<Locale, Readonly<Record<string, string>>>;
