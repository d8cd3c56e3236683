/**
 * What every page is rendered with: the language and its translator, who is signed in, the navigation their role
 * has, the CSRF token for forms, and the language switcher's links. Built once per request by `pageContext`.
 */
import type { Request, Response } from 'express';
import { Locales, localize, type I18nText, type Locale } from '../domain/i18n.js';
import type { Principal } from '../identity/index.js';
import type { Role } from '../identity/roles.js';
import { translator, type Translate } from './messages/index.js';

export interface NavItem {
  href: string;
  key: string;
}

/** The navigation of each role; pages a role may not open are not offered to it. */
export const NAVIGATION = {
  anonymous: [
    { href: '/', key: 'nav.catalog' },
    { href: '/progress', key: 'nav.progress' },
    { href: '/verify', key: 'nav.verify' },
  ],
  citizen: [
    { href: '/', key: 'nav.catalog' },
    { href: '/my/applications', key: 'nav.myApplications' },
    { href: '/my/wallet', key: 'nav.wallet' },
    { href: '/progress', key: 'nav.progress' },
  ],
  clerk: [
    { href: '/work', key: 'nav.queue' },
    { href: '/work/intake', key: 'nav.intake' },
    { href: '/', key: 'nav.catalog' },
    { href: '/verify', key: 'nav.verify' },
  ],
  admin: [
    { href: '/admin', key: 'nav.dashboard' },
    { href: '/admin/services', key: 'nav.services' },
    { href: '/admin/users', key: 'nav.users' },
    { href: '/admin/reference', key: 'nav.reference' },
    { href: '/admin/calendar', key: 'nav.calendar' },
  ],
} as const satisfies Record<Role | 'anonymous', readonly NavItem[]>;

export interface PageContext {
  locale: Locale;
  t: Translate;
  /** The text of an I18nText in the page's language. */
  l: (text: I18nText | undefined) => string;
  user?: { name: string; role: Role };
  nav: readonly NavItem[];
  csrf: string;
  path: string;
  languages: { locale: Locale; href: string; current: boolean }[];
  /** A field's error as govuk's `errorMessage` parameter (its hidden prefix in the page's language), or false. */
  errorOf: (errors: unknown, field: string) => { text: string; visuallyHiddenText: string } | false;
  /** govuk's password input, worded in the page's language. */
  passwordTexts: Record<string, string>;
}

export function buildContext(req: Request, locale: Locale, principal: Principal | undefined, csrf: string): PageContext {
  const here = req.originalUrl.split('#')[0] ?? '/';
  const path = here.split('?')[0] ?? '/';
  const t = translator(locale);
  return {
    locale,
    t,
    l: (text) => (text ? localize(text, locale) : ''),
    ...(principal ? { user: { name: principal.name, role: principal.role } } : {}),
    nav: NAVIGATION[principal?.role ?? 'anonymous'],
    csrf,
    path,
    languages: Locales.map((l) => ({ locale: l, href: `/language?lang=${l}&return=${encodeURIComponent(here)}`, current: l === locale })),
    errorOf: (errors, field) => {
      const found = Array.isArray(errors) ? (errors as { field?: string; text?: string }[]).find((e) => e.field === field) : undefined;
      return found?.text ? { text: found.text, visuallyHiddenText: t('common.error') } : false;
    },
    passwordTexts: {
      showPasswordText: t('common.showPassword'),
      hidePasswordText: t('common.hidePassword'),
      showPasswordAriaLabelText: t('common.showPasswordLabel'),
      hidePasswordAriaLabelText: t('common.hidePasswordLabel'),
      passwordShownAnnouncementText: t('common.passwordShown'),
      passwordHiddenAnnouncementText: t('common.passwordHidden'),
    },
  };
}

export function contextOf(res: Response): PageContext {
  return res.locals.page as PageContext;
}
