/** How a template item turns a record's value into the text on the page, in a locale. */
import { localize, type Locale } from '../domain/i18n.js';
import { chinaWallClock } from '../domain/time.js';
import type { TemplateItem } from './templates.js';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** An ISO date as written on a certificate; a timestamp gives its date in China Standard Time (certificates are dated there). */
export function formatDate(value: string, locale: Locale): string {
  const plain = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  let y: number, m: number, d: number;
  if (plain) {
    [y, m, d] = [Number(plain[1]), Number(plain[2]), Number(plain[3])];
  } else {
    const time = Date.parse(value);
    if (Number.isNaN(time)) return value;
    const cst = chinaWallClock(new Date(time));
    [y, m, d] = [cst.getUTCFullYear(), cst.getUTCMonth() + 1, cst.getUTCDate()];
  }
  return locale === 'en' ? `${d} ${MONTHS[m - 1] ?? m} ${y}` : `${y}年${m}月${d}日`;
}

function formatScalar(item: TemplateItem, value: unknown, locale: Locale): string {
  if (typeof value === 'string' || typeof value === 'number') {
    const coded = item.values?.[String(value)];
    if (coded) return localize(coded, locale);
    if (typeof value === 'string') return item.format === 'date' ? formatDate(value, locale) : value;
    return String(value);
  }
  if (typeof value === 'boolean') return locale === 'en' ? (value ? 'Yes' : 'No') : value ? '是' : '否';
  return JSON.stringify(value) ?? '';
}

/** The text for an item's value, or undefined when there is none (no value, an empty string or list). */
export function formatValue(item: TemplateItem, value: unknown, locale: Locale): string | undefined {
  if (value === undefined || value === null) return undefined;
  let text: string;
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    text = value.map((v) => formatScalar(item, v, locale)).join(item.separator ?? (locale === 'en' ? ', ' : '、'));
  } else {
    text = formatScalar(item, value, locale).trim();
  }
  if (text === '') return undefined;
  return item.unit ? text + localize(item.unit, locale) : text;
}
