/**
 * Which language a page is in: the switcher's cookie when set, else the browser's Accept-Language, else zh-Hans.
 * Chinese tags are mapped by script (`Intl.Locale(tag).maximize()`), so zh-TW, zh-HK and zh-Hant-* read zh-Hant
 * and zh, zh-CN, zh-SG read zh-Hans.
 */
import { Locales, type Locale } from '../domain/i18n.js';

export const LANGUAGE_COOKIE = 'onevisit_lang';

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (Locales as readonly string[]).includes(value);
}

/** The locale for a tag such as `zh-TW`, `en-GB` or `zh-Hans-CN`; undefined for languages we do not serve. */
export function localeOfTag(tag: string): Locale | undefined {
  let locale: Intl.Locale;
  try {
    locale = new Intl.Locale(tag.trim()).maximize();
  } catch {
    return undefined;
  }
  if (locale.language === 'en') return 'en';
  if (locale.language === 'zh') return locale.script === 'Hant' ? 'zh-Hant' : 'zh-Hans';
  return undefined;
}

/** The best of our locales for an Accept-Language header, by its q-values; undefined when none fits. */
export function negotiateLocale(header: string | undefined): Locale | undefined {
  if (!header) return undefined;
  const ranges = header
    .split(',')
    .slice(0, 20)
    .map((part, index) => {
      const [tag = '', ...params] = part.split(';');
      const q = params.map((p) => /^\s*q=([01](?:\.\d{0,3})?)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => r.tag !== '' && r.tag !== '*' && r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const range of ranges) {
    const locale = localeOfTag(range.tag);
    if (locale) return locale;
  }
  return undefined;
}

export function pageLocale(cookie: string | undefined, acceptLanguage: string | undefined): Locale {
  if (isLocale(cookie)) return cookie;
  return negotiateLocale(acceptLanguage) ?? 'zh-Hans';
}
