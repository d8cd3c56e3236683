/**
 * Chinese identifiers the product checks, shows and invents:
 *
 * - the citizen identity number (公民身份号码, GB 11643-1999), 18 characters;
 * - the unified social credit code (统一社会信用代码, GB 32100-2015), 18 characters.
 *
 * Both end in a check character that catches every single-character substitution
 * (ISO 7064 MOD 11-2 and the GB 32100 MOD 31 scheme; `test/domain/ids.test.ts` proves it).
 * Pure functions, no I/O.
 */
import { chinaDateCompact } from './time.js';

// ---------------------------------------------------------------------------------------------
// Citizen identity number (GB 11643-1999)
// ---------------------------------------------------------------------------------------------

/** ISO 7064 MOD 11-2 weights for positions 1–17 (2^(18−i) mod 11). */
const RESIDENT_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
/** The check character, indexed by (Σ digit × weight) mod 11. */
const RESIDENT_ID_CHECK_CHARS = '10X98765432';

/**
 * Province-level prefixes (first two digits) of GB/T 2260 that can start a number: the 31 mainland
 * provinces, 71 Taiwan, 81 Hong Kong and 82 Macao, plus 83, which the residence permits for Taiwan
 * residents (港澳台居民居住证, same format and check) use. Only the province is checked: prefecture
 * and county codes are renamed and abolished over time while the numbers issued under them stay valid.
 */
const PROVINCE_CODES: ReadonlySet<string> = new Set([
  '11', '12', '13', '14', '15',
  '21', '22', '23',
  '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46',
  '50', '51', '52', '53', '54',
  '61', '62', '63', '64', '65',
  '71', '81', '82', '83',
]);

const EARLIEST_BIRTH_DATE = '19000101';

const RESIDENT_ID_SHAPE = /^[1-8][0-9]{5}[0-9]{4}[0-9]{2}[0-9]{2}[0-9]{3}[0-9X]$/;

export type Sex = 'male' | 'female';

/**
 * The canonical form of a citizen identity number: a lower-case check character `x` becomes `X`.
 * Nothing else is changed (no trimming), so the result is valid exactly when the input is.
 */
export function normalizeResidentIdNumber(value: string): string {
  return value.length === 18 && value.endsWith('x') ? value.slice(0, 17) + 'X' : value;
}

/** The MOD 11-2 check character ('0'–'9' or 'X') for the first 17 digits of a citizen identity number. */
export function residentIdCheckChar(first17: string): string {
  if (!/^[0-9]{17}$/.test(first17)) throw new RangeError('residentIdCheckChar expects exactly 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * RESIDENT_ID_WEIGHTS[i]!;
  return RESIDENT_ID_CHECK_CHARS[sum % 11]!;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Whether `yyyymmdd` (8 digits) names a day of the proleptic Gregorian calendar. */
function isCalendarDate(yyyymmdd: string): boolean {
  const year = Number(yyyymmdd.slice(0, 4));
  const month = Number(yyyymmdd.slice(4, 6));
  const day = Number(yyyymmdd.slice(6, 8));
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** `today` as YYYYMMDD in China Standard Time: a birth date on a number is a date there. */
function chinaToday(today: Date): string {
  if (Number.isNaN(today.getTime())) throw new RangeError('today is an invalid Date');
  return chinaDateCompact(today);
}

/**
 * Whether `value` is a well-formed 18-character citizen identity number:
 *
 * - positions 1–6: an administrative division code whose first digit is 1–8 and whose first two
 *   digits are a province-level code (see PROVINCE_CODES);
 * - positions 7–14: the birth date YYYYMMDD, a real calendar date from 1900-01-01 up to and including
 *   `today` (taken as a calendar date in China Standard Time, UTC+8);
 * - positions 15–17: the sequence number (odd for men, even for women);
 * - position 18: the MOD 11-2 check character.
 *
 * Lower case: a lower-case check character `x` IS accepted (people type it; the card prints `X`) —
 * store `normalizeResidentIdNumber(value)`. No other leniency: no spaces, no 15-digit legacy numbers.
 */
export function isResidentIdNumber(value: string, today: Date = new Date()): boolean {
  if (typeof value !== 'string') return false;
  const id = normalizeResidentIdNumber(value);
  if (!RESIDENT_ID_SHAPE.test(id)) return false;
  if (!PROVINCE_CODES.has(id.slice(0, 2))) return false;
  const birth = id.slice(6, 14);
  if (!isCalendarDate(birth) || birth < EARLIEST_BIRTH_DATE || birth > chinaToday(today)) return false;
  return residentIdCheckChar(id.slice(0, 17)) === id[17];
}

function requireResidentId(id: string, caller: string): string {
  if (!isResidentIdNumber(id)) throw new RangeError(`${caller}: not a valid citizen identity number`);
  return normalizeResidentIdNumber(id);
}

/** The holder's birth date as an ISO date (YYYY-MM-DD). Throws a RangeError unless `isResidentIdNumber(id)`. */
export function residentIdBirthDate(id: string): string {
  const valid = requireResidentId(id, 'residentIdBirthDate');
  return `${valid.slice(6, 10)}-${valid.slice(10, 12)}-${valid.slice(12, 14)}`;
}

/** The holder's sex from the parity of the 17th digit (odd: male). Throws a RangeError unless `isResidentIdNumber(id)`. */
export function residentIdSex(id: string): Sex {
  const valid = requireResidentId(id, 'residentIdSex');
  return Number(valid[16]) % 2 === 1 ? 'male' : 'female';
}

export interface ResidentIdOptions {
  /** 6-digit administrative division code; default '110105' (北京市朝阳区). */
  region?: string;
  /** YYYY-MM-DD or YYYYMMDD; default '1990-01-01'. Dates after today are allowed (to test rejection). */
  birthDate?: string;
  /** 0–999; default 1 (odd: male). */
  sequence?: number;
}

/**
 * A citizen identity number with the correct check character, for tests and demo data.
 * Deterministic: the same options give the same number. Throws a RangeError for a region that
 * `isResidentIdNumber` would reject, an impossible or pre-1900 date, or a sequence outside 0–999.
 * Does not look at the clock, so it will build numbers with future birth dates.
 */
export function makeResidentIdNumber(opts: ResidentIdOptions = {}): string {
  const region = opts.region ?? '110105';
  if (!/^[1-8][0-9]{5}$/.test(region) || !PROVINCE_CODES.has(region.slice(0, 2))) {
    throw new RangeError(`makeResidentIdNumber: bad region ${JSON.stringify(region)}`);
  }
  const birthDate = opts.birthDate ?? '1990-01-01';
  const match = /^([0-9]{4})-?([0-9]{2})-?([0-9]{2})$/.exec(birthDate);
  const birth = match ? `${match[1]}${match[2]}${match[3]}` : '';
  if (!match || !isCalendarDate(birth) || birth < EARLIEST_BIRTH_DATE) {
    throw new RangeError(`makeResidentIdNumber: bad birth date ${JSON.stringify(birthDate)}`);
  }
  const sequence = opts.sequence ?? 1;
  if (!Number.isInteger(sequence) || sequence < 0 || sequence > 999) {
    throw new RangeError(`makeResidentIdNumber: sequence must be an integer 0–999, got ${sequence}`);
  }
  const first17 = region + birth + String(sequence).padStart(3, '0');
  return first17 + residentIdCheckChar(first17);
}

// ---------------------------------------------------------------------------------------------
// Masking for logs and the public verify page
// ---------------------------------------------------------------------------------------------

/**
 * An 18-character identity number with positions 7–14 replaced by `*` (first 6 and last 4 kept):
 * `110105199003071234` → `110105********1234`. Any other length is masked entirely (same number of
 * `*`), so malformed input — a 15-digit legacy number, a typo — never leaks its birth date either.
 * Never throws.
 */
export function maskResidentId(id: string): string {
  const chars = Array.from(String(id));
  if (chars.length !== 18) return '*'.repeat(chars.length);
  return chars.slice(0, 6).join('') + '*'.repeat(8) + chars.slice(14).join('');
}

const graphemes = new Intl.Segmenter('zh', { granularity: 'grapheme' });

/**
 * A personal name with every character after the first replaced by `*`, one `*` per character
 * (the common convention on Chinese government and bank pages): 张三 → 张*, 王小明 → 王**,
 * 欧阳小明 → 欧***. A one-character name becomes `*` (keeping it would show the whole name).
 * Surrounding whitespace is trimmed; characters are user-perceived characters (grapheme clusters),
 * so a surname outside the Basic Multilingual Plane is kept whole. Never throws.
 */
export function maskName(name: string): string {
  const chars = Array.from(graphemes.segment(String(name).trim()), (s) => s.segment);
  if (chars.length <= 1) return '*'.repeat(chars.length);
  return chars[0]! + '*'.repeat(chars.length - 1);
}

// ---------------------------------------------------------------------------------------------
// Unified social credit code (GB 32100-2015)
// ---------------------------------------------------------------------------------------------

/** The 31 characters of the code, in check-value order: digits and upper-case letters without I, O, S, V, Z. */
export const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
/** Weights for positions 1–17 (3^(i−1) mod 31). */
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

/**
 * The registration-authority code table used with GB 32100-2015: the first character names the
 * authority, the second the organisation category within it.
 */
export const USCC_AUTHORITIES: Readonly<Record<string, { readonly name: string; readonly categories: Readonly<Record<string, string>> }>> = {
  '1': { name: '机构编制', categories: { '1': '机关', '2': '事业单位', '3': '中央编办直接管理机构编制的群众团体', '9': '其他' } },
  '2': { name: '外交', categories: { '1': '外国常驻新闻机构', '9': '其他' } },
  '3': { name: '司法行政', categories: { '1': '律师执业机构', '2': '公证处', '3': '基层法律服务所', '4': '司法鉴定机构', '5': '仲裁委员会', '9': '其他' } },
  '4': { name: '文化', categories: { '1': '外国在华文化中心', '9': '其他' } },
  '5': { name: '民政', categories: { '1': '社会团体', '2': '民办非企业单位', '3': '基金会', '9': '其他' } },
  '6': { name: '旅游', categories: { '1': '外国旅游部门常驻代表机构', '2': '港澳台地区旅游部门常驻内地（大陆）代表机构', '9': '其他' } },
  '7': { name: '宗教', categories: { '1': '宗教活动场所', '2': '宗教院校', '9': '其他' } },
  '8': { name: '工会', categories: { '1': '基层工会', '9': '其他' } },
  '9': { name: '工商（市场监管）', categories: { '1': '企业', '2': '个体工商户', '3': '农民专业合作社' } },
  A: { name: '中央军委改革和编制办公室', categories: { '1': '军队事业单位', '9': '其他' } },
  N: { name: '农业', categories: { '1': '组级集体经济组织', '2': '村级集体经济组织', '3': '乡镇级集体经济组织', '9': '其他' } },
  Y: { name: '其他', categories: { '1': '其他' } },
};

const USCC_SHAPE = /^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

/** The GB 32100 check character for the first 17 characters (upper case, from USCC_CHARSET). */
export function uscCheckChar(first17: string): string {
  if (first17.length !== 17) throw new RangeError('uscCheckChar expects exactly 17 characters');
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = USCC_CHARSET.indexOf(first17[i]!);
    if (value < 0) throw new RangeError(`uscCheckChar: ${JSON.stringify(first17[i])} is not in the code's character set`);
    sum += value * USCC_WEIGHTS[i]!;
  }
  // C18 = 31 − (Σ mod 31), where 31 stands for 0.
  return USCC_CHARSET[(31 - (sum % 31)) % 31]!;
}

/**
 * Whether `value` is a well-formed unified social credit code:
 *
 * - 18 characters of USCC_CHARSET (so I, O, S, V and Z never appear), upper case only — the standard
 *   defines no lower-case form; upper-case input yourself if you want to be lenient;
 * - position 1: a registration authority of USCC_AUTHORITIES (1–9, A, N, Y);
 * - position 2: an organisation category, a digit 1–9 (the per-authority category lists are not
 *   enforced, so a category added to the table later cannot reject a real code; the check character
 *   already guards against typos);
 * - positions 3–8: the registering authority's administrative division code, digits (not checked
 *   against GB/T 2260: central registrations use codes such as 100000);
 * - positions 9–17: the organisation's subject identifier (GB 11714 organisation code); its own
 *   embedded check digit is not enforced;
 * - position 18: the MOD 31 check character.
 */
export function isUnifiedSocialCreditCode(value: string): boolean {
  if (typeof value !== 'string' || !USCC_SHAPE.test(value)) return false;
  if (!Object.prototype.hasOwnProperty.call(USCC_AUTHORITIES, value[0]!)) return false;
  if (!/^[1-9]$/.test(value[1]!)) return false;
  return uscCheckChar(value.slice(0, 17)) === value[17];
}

/** GB 11714 check character of a 9-character organisation code, for generated codes. */
function organisationCodeCheckChar(body8: string): string {
  const weights = [3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const c = body8[i]!;
    sum += (c >= '0' && c <= '9' ? Number(c) : c.charCodeAt(0) - 55) * weights[i]!;
  }
  const check = 11 - (sum % 11);
  return check === 10 ? 'X' : check === 11 ? '0' : String(check);
}

export interface UsccOptions {
  /** Registration authority, a key of USCC_AUTHORITIES; default '9' (market regulation). */
  authority?: string;
  /** Organisation category listed for that authority; default '1' (enterprise under '9'). */
  category?: string;
  /** 6-digit administrative division code of the registering authority; default '110000'. */
  region?: string;
  /** The 9-character subject identifier, used verbatim (characters of USCC_CHARSET). */
  organisationCode?: string;
  /** When `organisationCode` is absent: 0–99999999, made into an 8-digit organisation code plus its GB 11714 check digit. Default 1. */
  sequence?: number;
}

/**
 * A unified social credit code with the correct check character, for tests and demo data.
 * Deterministic: the same options give the same code. Stricter than the validator on purpose —
 * the category must be one the standard lists for the authority — so demo data looks real.
 * Throws a RangeError for options that cannot make such a code.
 */
export function makeUnifiedSocialCreditCode(opts: UsccOptions = {}): string {
  const authority = opts.authority ?? '9';
  const entry = Object.prototype.hasOwnProperty.call(USCC_AUTHORITIES, authority) ? USCC_AUTHORITIES[authority] : undefined;
  if (!entry) throw new RangeError(`makeUnifiedSocialCreditCode: unknown authority ${JSON.stringify(authority)}`);
  const category = opts.category ?? '1';
  if (!Object.prototype.hasOwnProperty.call(entry.categories, category)) {
    throw new RangeError(`makeUnifiedSocialCreditCode: authority ${authority} has no category ${JSON.stringify(category)}`);
  }
  const region = opts.region ?? '110000';
  if (!/^[0-9]{6}$/.test(region)) throw new RangeError(`makeUnifiedSocialCreditCode: bad region ${JSON.stringify(region)}`);
  let organisationCode: string;
  if (opts.organisationCode !== undefined) {
    organisationCode = opts.organisationCode;
    if (!/^[0-9A-HJ-NPQRTUWXY]{9}$/.test(organisationCode)) {
      throw new RangeError(`makeUnifiedSocialCreditCode: bad organisation code ${JSON.stringify(organisationCode)}`);
    }
  } else {
    const sequence = opts.sequence ?? 1;
    if (!Number.isInteger(sequence) || sequence < 0 || sequence > 99_999_999) {
      throw new RangeError(`makeUnifiedSocialCreditCode: sequence must be an integer 0–99999999, got ${sequence}`);
    }
    const body = String(sequence).padStart(8, '0');
    organisationCode = body + organisationCodeCheckChar(body);
  }
  const first17 = authority + category + region + organisationCode;
  return first17 + uscCheckChar(first17);
}

// ---------------------------------------------------------------------------------------------
// Application numbers (办件编号)
// ---------------------------------------------------------------------------------------------

/** Digits of the day's sequence in an application number, at least (a busier day has more). */
export const APPLICATION_SEQUENCE_DIGITS = 6;
/**
 * The number printed on an application's receipt: its China Standard Time day (`YYYYMMDD`) and the day's sequence
 * from 1, at least APPLICATION_SEQUENCE_DIGITS digits: `20260311000042`.
 */
export function applicationNumber(chinaDayCompact: string, sequence: number): string {
  return `${chinaDayCompact}${String(sequence).padStart(APPLICATION_SEQUENCE_DIGITS, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// Ajv formats
// ---------------------------------------------------------------------------------------------

/** The shape Ajv's `addFormat(name, format)` accepts for a synchronous string format. */
export interface StringFormatDefinition {
  readonly type: 'string';
  readonly validate: (value: string) => boolean;
}

/**
 * `for (const [name, format] of Object.entries(ajvIdFormats)) ajv.addFormat(name, format)`.
 * 'resident-id' checks against the clock at validation time (birth date not in the future).
 */
export const ajvIdFormats: Readonly<Record<'resident-id' | 'uscc', StringFormatDefinition>> = {
  'resident-id': { type: 'string', validate: (value: string) => isResidentIdNumber(value) },
  uscc: { type: 'string', validate: (value: string) => isUnifiedSocialCreditCode(value) },
};
