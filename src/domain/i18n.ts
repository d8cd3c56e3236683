/** The locales every title is written in; zh-Hans is the one that must always be there. */
export const Locales = ['zh-Hans', 'zh-Hant', 'en'] as const;
export type Locale = (typeof Locales)[number];

export type I18nText = { 'zh-Hans': string } & Partial<Record<Exclude<Locale, 'zh-Hans'>, string>>;

/** The text in the wanted locale, falling back to Simplified Chinese. */
export function localize(text: I18nText, locale: Locale = 'zh-Hans'): string {
  return text[locale] ?? text['zh-Hans'];
}
