// chai 6 ships no type declarations and @types/chai is not installed, so without this the import is an
// implicit-any error (TS7016). @ts-ignore rather than @ts-expect-error so adding @types/chai later just works.

import { expect } from 'chai';
import fc from 'fast-check';
import { Ajv } from 'ajv';
import {
  ajvIdFormats,
  isResidentIdNumber,
  isUnifiedSocialCreditCode,
  makeResidentIdNumber,
  makeUnifiedSocialCreditCode,
  maskName,
  maskResidentId,
  normalizeResidentIdNumber,
  residentIdBirthDate,
  residentIdCheckChar,
  residentIdSex,
  uscCheckChar,
  USCC_AUTHORITIES,
  USCC_CHARSET,
} from '../../src/domain/ids.js';

const DIGITS = '0123456789';
const RESIDENT_ID_ALPHABET = DIGITS + 'X';
/** A fixed "today" so that nothing here depends on the clock: 2025-06-15 in China. */
const TODAY = new Date('2025-06-15T12:00:00+08:00');

/** A resident id with the correct check character, bypassing the generator's option checks. */
const withResidentCheck = (first17: string) => first17 + residentIdCheckChar(first17);
const withUsccCheck = (first17: string) => first17 + uscCheckChar(first17);
const replaceAt = (s: string, i: number, c: string) => s.slice(0, i) + c + s.slice(i + 1);

const PROVINCES = ['11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37', '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65', '71', '81', '82', '83'];

const DAY_MS = 86_400_000;
const arbResidentIdOptions = fc.record({
  region: fc.tuple(fc.constantFrom(...PROVINCES), fc.integer({ min: 0, max: 9999 })).map(([p, n]) => p + String(n).padStart(4, '0')),
  birthDate: fc
    .integer({ min: Date.UTC(1900, 0, 1) / DAY_MS, max: Date.UTC(2025, 5, 15) / DAY_MS })
    .map((day) => new Date(day * DAY_MS).toISOString().slice(0, 10)),
  sequence: fc.integer({ min: 0, max: 999 }),
});
const arbResidentId = arbResidentIdOptions.map((opts) => makeResidentIdNumber(opts));

const arbUsccChar = fc.constantFrom(...USCC_CHARSET);
const arbUscc = fc
  .record({
    authorityAndCategory: fc.constantFrom(
      ...Object.entries(USCC_AUTHORITIES).flatMap(([a, entry]) => Object.keys(entry.categories).map((c) => [a, c] as const)),
    ),
    region: fc.integer({ min: 0, max: 999_999 }).map((n) => String(n).padStart(6, '0')),
    organisationCode: fc.array(arbUsccChar, { minLength: 9, maxLength: 9 }).map((cs) => cs.join('')),
  })
  .map(({ authorityAndCategory: [authority, category], region, organisationCode }) =>
    makeUnifiedSocialCreditCode({ authority, category, region, organisationCode }),
  );

describe('citizen identity number (GB 11643-1999)', () => {
  describe('isResidentIdNumber', () => {
    it('accepts the example number printed in the standard and numbers across the date range', () => {
      expect(isResidentIdNumber('11010519491231002X', TODAY)).to.equal(true);
      expect(isResidentIdNumber(makeResidentIdNumber({ region: '440305', birthDate: '2000-02-29', sequence: 123 }), TODAY)).to.equal(true);
      expect(isResidentIdNumber(makeResidentIdNumber({ region: '650102', birthDate: '1900-01-01', sequence: 0 }), TODAY)).to.equal(true);
      expect(isResidentIdNumber('11010519491231002X')).to.equal(true); // default today: the clock
    });

    it('rejects the number when its check character is replaced by any other character', () => {
      const valid = '11010519491231002X';
      const others = RESIDENT_ID_ALPHABET.split('').filter((c) => c !== 'X');
      expect(others).to.have.length(10);
      for (const c of others) expect(isResidentIdNumber(valid.slice(0, 17) + c, TODAY), c).to.equal(false);
    });

    it('rejects an impossible birth date even when the check character is right', () => {
      expect(isResidentIdNumber(withResidentCheck('11010519990230123'), TODAY)).to.equal(false); // 30 February
      expect(isResidentIdNumber(withResidentCheck('11010519990431123'), TODAY)).to.equal(false); // 31 April
      expect(isResidentIdNumber(withResidentCheck('11010519991301123'), TODAY)).to.equal(false); // month 13
      expect(isResidentIdNumber(withResidentCheck('11010519990001123'), TODAY)).to.equal(false); // month 00
      expect(isResidentIdNumber(withResidentCheck('11010519990100123'), TODAY)).to.equal(false); // day 00
    });

    it('follows the Gregorian leap-year rule for 29 February', () => {
      expect(isResidentIdNumber(withResidentCheck('11010520000229123'), TODAY)).to.equal(true); // 2000 divisible by 400
      expect(isResidentIdNumber(withResidentCheck('11010519960229123'), TODAY)).to.equal(true);
      expect(isResidentIdNumber(withResidentCheck('11010519000229123'), TODAY)).to.equal(false); // 1900 is not a leap year
      expect(isResidentIdNumber(withResidentCheck('11010519990229123'), TODAY)).to.equal(false);
    });

    it('rejects birth dates before 1900, including the standard\'s own 1880 example', () => {
      // The standard's second example has a correct check character but a birth year of 1880.
      expect(residentIdCheckChar('44052418800101001')).to.equal('4');
      expect(isResidentIdNumber('440524188001010014', TODAY)).to.equal(false);
      expect(isResidentIdNumber(withResidentCheck('11010518991231123'), TODAY)).to.equal(false);
      expect(isResidentIdNumber(withResidentCheck('11010519000101123'), TODAY)).to.equal(true);
    });

    it('rejects a birth date after today and accepts one of today', () => {
      const future = makeResidentIdNumber({ birthDate: '2025-06-16' });
      const onTheDay = makeResidentIdNumber({ birthDate: '2025-06-15' });
      expect(isResidentIdNumber(future, TODAY)).to.equal(false);
      expect(isResidentIdNumber(onTheDay, TODAY)).to.equal(true);
      expect(isResidentIdNumber(makeResidentIdNumber({ birthDate: '2999-01-01' }))).to.equal(false); // against the clock
    });

    it('takes "today" as the calendar date in China (UTC+8), not UTC', () => {
      const bornOn16June = makeResidentIdNumber({ birthDate: '2025-06-16' });
      // 2025-06-15T16:30Z is already 00:30 on 16 June in Beijing.
      expect(isResidentIdNumber(bornOn16June, new Date('2025-06-15T16:30:00Z'))).to.equal(true);
      expect(isResidentIdNumber(bornOn16June, new Date('2025-06-15T15:59:59Z'))).to.equal(false);
    });

    it('rejects a bad administrative division code even when the check character is right', () => {
      expect(isResidentIdNumber(withResidentCheck('01010519900101123'), TODAY)).to.equal(false); // first digit 0
      expect(isResidentIdNumber(withResidentCheck('91010519900101123'), TODAY)).to.equal(false); // first digit 9
      expect(isResidentIdNumber(withResidentCheck('19010519900101123'), TODAY)).to.equal(false); // no province 19
      expect(isResidentIdNumber(withResidentCheck('84000019900101123'), TODAY)).to.equal(false); // no province 84
      expect(isResidentIdNumber(withResidentCheck('81000019900101123'), TODAY)).to.equal(true); // Hong Kong residence permit
      expect(isResidentIdNumber(withResidentCheck('83000019900101123'), TODAY)).to.equal(true); // Taiwan residence permit
    });

    it('rejects the wrong length, including 15-digit legacy numbers', () => {
      for (const value of ['', '11010519491231002', '11010519491231002X0', '110105491231002', ' 11010519491231002X', '11010519491231002X ']) {
        expect(isResidentIdNumber(value, TODAY), JSON.stringify(value)).to.equal(false);
      }
    });

    it('rejects an X or other non-digit anywhere but the last position', () => {
      expect(isResidentIdNumber('1101051949123100X2', TODAY)).to.equal(false);
      expect(isResidentIdNumber('110105194912３1002X', TODAY)).to.equal(false); // full-width digit
      expect(isResidentIdNumber('1101051949-231002X', TODAY)).to.equal(false);
    });

    it('accepts a lower-case check character x, which normalisation makes upper-case', () => {
      expect(isResidentIdNumber('11010519491231002x', TODAY)).to.equal(true);
      expect(normalizeResidentIdNumber('11010519491231002x')).to.equal('11010519491231002X');
      expect(normalizeResidentIdNumber('11010519491231002X')).to.equal('11010519491231002X');
      expect(residentIdBirthDate('11010519491231002x')).to.equal('1949-12-31');
      // lower case is no excuse for a wrong check character
      expect(isResidentIdNumber('11010519491231003x', TODAY)).to.equal(false);
    });

    it('rejects values that are not strings at run time (Ajv and untyped callers)', () => {
      expect(isResidentIdNumber(11010519491231002 as unknown as string, TODAY)).to.equal(false);
      expect(isResidentIdNumber(undefined as unknown as string, TODAY)).to.equal(false);
    });
  });

  describe('residentIdCheckChar', () => {
    it('computes the MOD 11-2 check character, X standing for 10', () => {
      expect(residentIdCheckChar('11010519491231002')).to.equal('X');
      expect(residentIdCheckChar('44052418800101001')).to.equal('4');
      expect(residentIdCheckChar('00000000000000000')).to.equal('1'); // sum 0 indexes "10X98765432"[0]
    });

    it('throws unless given exactly 17 digits', () => {
      for (const bad of ['', '1101051949123100', '110105194912310021', '1101051949123100X']) {
        expect(() => residentIdCheckChar(bad), bad).to.throw(RangeError);
      }
    });
  });

  describe('residentIdBirthDate and residentIdSex', () => {
    it('read the birth date as an ISO date and the sex from the parity of the 17th digit', () => {
      expect(residentIdBirthDate('11010519491231002X')).to.equal('1949-12-31');
      expect(residentIdSex('11010519491231002X')).to.equal('female'); // 17th digit 2
      const man = makeResidentIdNumber({ birthDate: '1985-07-04', sequence: 17 });
      expect(residentIdBirthDate(man)).to.equal('1985-07-04');
      expect(residentIdSex(man)).to.equal('male');
    });

    it('throw a RangeError for an invalid number rather than guess', () => {
      expect(() => residentIdBirthDate('110105194912310021')).to.throw(RangeError);
      expect(() => residentIdSex('440524188001010014')).to.throw(RangeError);
      expect(() => residentIdSex('not an id')).to.throw(RangeError);
    });
  });

  describe('makeResidentIdNumber', () => {
    it('builds a valid number from defaults and is deterministic', () => {
      const a = makeResidentIdNumber();
      expect(a).to.equal(makeResidentIdNumber({}));
      expect(a).to.match(/^11010519900101001[0-9X]$/);
      expect(isResidentIdNumber(a, TODAY)).to.equal(true);
      expect(makeResidentIdNumber({ region: '350102', birthDate: '19491231', sequence: 2 })).to.equal(
        makeResidentIdNumber({ region: '350102', birthDate: '1949-12-31', sequence: 2 }),
      );
    });

    it('reproduces the standard\'s example', () => {
      expect(makeResidentIdNumber({ region: '110105', birthDate: '1949-12-31', sequence: 2 })).to.equal('11010519491231002X');
    });

    it('throws for options no valid number can have', () => {
      expect(() => makeResidentIdNumber({ region: '010105' })).to.throw(RangeError);
      expect(() => makeResidentIdNumber({ region: '190105' })).to.throw(RangeError);
      expect(() => makeResidentIdNumber({ region: '11010' })).to.throw(RangeError);
      expect(() => makeResidentIdNumber({ birthDate: '1999-02-30' })).to.throw(RangeError);
      expect(() => makeResidentIdNumber({ birthDate: '1899-12-31' })).to.throw(RangeError);
      expect(() => makeResidentIdNumber({ birthDate: '1999/01/01' })).to.throw(RangeError);
      expect(() => makeResidentIdNumber({ sequence: 1000 })).to.throw(RangeError);
      expect(() => makeResidentIdNumber({ sequence: -1 })).to.throw(RangeError);
      expect(() => makeResidentIdNumber({ sequence: 1.5 })).to.throw(RangeError);
    });
  });

  describe('properties', () => {
    it('every generated number validates and reads back its birth date and sex', () => {
      fc.assert(
        fc.property(arbResidentIdOptions, (opts) => {
          const id = makeResidentIdNumber(opts);
          expect(isResidentIdNumber(id, TODAY)).to.equal(true);
          expect(residentIdBirthDate(id)).to.equal(opts.birthDate);
          expect(residentIdSex(id)).to.equal(opts.sequence % 2 === 1 ? 'male' : 'female');
        }),
        { numRuns: 500 },
      );
    });

    it('changing any one character of a valid number to another character of the alphabet makes it invalid', () => {
      fc.assert(
        fc.property(arbResidentId, fc.integer({ min: 0, max: 17 }), fc.constantFrom(...RESIDENT_ID_ALPHABET), (id, i, c) => {
          fc.pre(id[i] !== c);
          expect(isResidentIdNumber(replaceAt(id, i, c), TODAY)).to.equal(false);
        }),
        { numRuns: 2000 },
      );
    });

    it('MOD 11-2 detects every single substitution by the check character alone', () => {
      // Random digits anywhere — no date or region rules to help: only the check character can tell.
      fc.assert(
        fc.property(
          fc.array(fc.constantFrom(...DIGITS), { minLength: 17, maxLength: 17 }).map((ds) => ds.join('')),
          fc.integer({ min: 0, max: 16 }),
          fc.constantFrom(...DIGITS),
          (first17, i, d) => {
            fc.pre(first17[i] !== d);
            expect(residentIdCheckChar(replaceAt(first17, i, d))).to.not.equal(residentIdCheckChar(first17));
          },
        ),
        { numRuns: 2000 },
      );
      // And exhaustively: the weighted sum is linear, so a substitution changes it by (new − old) × weight
      // whatever the other digits are; checking every (position, old, new) once on one base covers all numbers.
      for (let i = 0; i < 17; i++) {
        for (const a of DIGITS) {
          for (const b of DIGITS) {
            if (a === b) continue;
            const base = replaceAt('0'.repeat(17), i, a);
            expect(residentIdCheckChar(replaceAt(base, i, b)), `${i}:${a}->${b}`).to.not.equal(residentIdCheckChar(base));
          }
        }
      }
    });
  });
});

describe('masking', () => {
  describe('maskResidentId', () => {
    it('keeps the first 6 and the last 4 characters and masks the 8 in between', () => {
      expect(maskResidentId('11010519491231002X')).to.equal('110105********002X');
    });

    it('masks anything that is not 18 characters long entirely, so a legacy number or typo leaks nothing', () => {
      expect(maskResidentId('110105491231002')).to.equal('***************');
      expect(maskResidentId('11010519491231002')).to.equal('*'.repeat(17));
      expect(maskResidentId('')).to.equal('');
    });

    it('never reveals the middle (birth date and first sequence digits) of a valid number', () => {
      fc.assert(
        fc.property(arbResidentId, (id) => {
          const masked = maskResidentId(id);
          expect(masked).to.have.length(18);
          expect(masked.slice(6, 14)).to.equal('********');
          expect(masked.slice(0, 6) + masked.slice(14)).to.equal(id.slice(0, 6) + id.slice(14));
          expect(masked).to.not.contain(id.slice(6, 14));
        }),
        { numRuns: 300 },
      );
    });

    it('never reveals more than the first 6 and last 4 characters of any input', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
          const chars = Array.from(s);
          const masked = Array.from(maskResidentId(s));
          expect(masked).to.have.length(chars.length);
          masked.forEach((c, i) => {
            if (chars.length === 18 && (i < 6 || i >= 14)) expect(c).to.equal(chars[i]);
            else expect(c).to.equal('*');
          });
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('maskName', () => {
    it('keeps the first character and masks the rest, one * per character', () => {
      expect(maskName('张三')).to.equal('张*');
      expect(maskName('王小明')).to.equal('王**');
      expect(maskName('欧阳小明')).to.equal('欧***');
      expect(maskName('阿依古丽·买买提')).to.equal('阿*******');
    });

    it('masks a one-character name completely and leaves an empty one empty', () => {
      expect(maskName('张')).to.equal('*');
      expect(maskName('')).to.equal('');
      expect(maskName('   ')).to.equal('');
    });

    it('trims surrounding whitespace and keeps a surname outside the BMP whole', () => {
      expect(maskName('  李四 ')).to.equal('李*');
      expect(maskName('𠀋小明')).to.equal('𠀋**');
    });

    it('never reveals any character after the first', () => {
      const hanzi = fc.oneof(
        fc.integer({ min: 0x4e00, max: 0x9fff }),
        fc.integer({ min: 0x20000, max: 0x2a6df }),
      ).map((cp) => String.fromCodePoint(cp));
      fc.assert(
        fc.property(fc.array(hanzi, { minLength: 2, maxLength: 8 }), (chars) => {
          const masked = maskName(chars.join(''));
          expect(masked).to.equal(chars[0] + '*'.repeat(chars.length - 1));
        }),
        { numRuns: 300 },
      );
    });
  });
});

describe('unified social credit code (GB 32100-2015)', () => {
  // Codes published on business licences and widely cited; each check character was recomputed here.
  const PUBLISHED = ['91350100M000100Y43', '914403001922038216', '9144030071526726XG', '91110108551385082Q', '91330100716105852F'];

  describe('isUnifiedSocialCreditCode', () => {
    it('accepts published codes', () => {
      for (const code of PUBLISHED) expect(isUnifiedSocialCreditCode(code), code).to.equal(true);
    });

    it('rejects a published code when its check character is replaced by any other character of the set', () => {
      for (const code of PUBLISHED) {
        for (const c of USCC_CHARSET) {
          if (c === code[17]) continue;
          expect(isUnifiedSocialCreditCode(code.slice(0, 17) + c), `${code} -> ${c}`).to.equal(false);
        }
      }
    });

    it('rejects I, O, S, V and Z in any position', () => {
      const code = '91350100M000100Y43';
      for (let i = 0; i < 18; i++) {
        for (const c of 'IOSVZ') expect(isUnifiedSocialCreditCode(replaceAt(code, i, c)), `${i}:${c}`).to.equal(false);
      }
      // and the check computation refuses them rather than giving them a value
      expect(() => uscCheckChar('91350100M000100I4')).to.throw(RangeError);
    });

    it('rejects lower case (the standard defines only upper-case letters)', () => {
      expect(isUnifiedSocialCreditCode('91350100m000100y43')).to.equal(false);
      expect(isUnifiedSocialCreditCode('9144030071526726xg')).to.equal(false);
    });

    it('rejects an unknown registration authority even when the check character is right', () => {
      for (const authority of ['0', 'B', 'C', 'M', 'X']) {
        expect(isUnifiedSocialCreditCode(withUsccCheck(authority + '1350100M000100Y4')), authority).to.equal(false);
      }
      for (const authority of ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'A', 'N', 'Y']) {
        expect(isUnifiedSocialCreditCode(withUsccCheck(authority + '1350100M000100Y4')), authority).to.equal(true);
      }
    });

    it('rejects a category that is not a digit 1–9 and a division code that is not digits', () => {
      expect(isUnifiedSocialCreditCode(withUsccCheck('90350100M000100Y4'))).to.equal(false);
      expect(isUnifiedSocialCreditCode(withUsccCheck('9A350100M000100Y4'))).to.equal(false);
      expect(isUnifiedSocialCreditCode(withUsccCheck('913501A0M000100Y4'))).to.equal(false);
    });

    it('rejects the wrong length and non-strings', () => {
      for (const value of ['', '91350100M000100Y4', '91350100M000100Y430', ' 91350100M000100Y43']) {
        expect(isUnifiedSocialCreditCode(value), JSON.stringify(value)).to.equal(false);
      }
      expect(isUnifiedSocialCreditCode(null as unknown as string)).to.equal(false);
    });
  });

  describe('uscCheckChar', () => {
    it('reproduces the check characters of published codes, 31 standing for 0', () => {
      for (const code of PUBLISHED) expect(uscCheckChar(code.slice(0, 17)), code).to.equal(code[17]);
      expect(uscCheckChar('00000000000000000')).to.equal('0'); // 31 − 0 = 31 → 0
    });

    it('throws for the wrong length or a character outside the set', () => {
      expect(() => uscCheckChar('91350100M000100Y')).to.throw(RangeError);
      expect(() => uscCheckChar('91350100M000100Y43')).to.throw(RangeError);
      expect(() => uscCheckChar('91350100m000100Y4')).to.throw(RangeError);
    });
  });

  describe('makeUnifiedSocialCreditCode', () => {
    it('builds a valid enterprise code from defaults and is deterministic', () => {
      const code = makeUnifiedSocialCreditCode();
      expect(code).to.equal(makeUnifiedSocialCreditCode({}));
      expect(code.slice(0, 8)).to.equal('91110000');
      expect(isUnifiedSocialCreditCode(code)).to.equal(true);
      expect(makeUnifiedSocialCreditCode({ sequence: 42 })).to.not.equal(code);
    });

    it('reproduces a published code from its parts', () => {
      expect(makeUnifiedSocialCreditCode({ authority: '9', category: '1', region: '350100', organisationCode: 'M000100Y4' })).to.equal(
        '91350100M000100Y43',
      );
    });

    it('gives a generated organisation code a GB 11714 check digit, as real codes have', () => {
      // 192203821 is the organisation code inside 914403001922038216: body 19220382, check 1.
      expect(makeUnifiedSocialCreditCode({ region: '440300', sequence: 19220382 })).to.equal('914403001922038216');
    });

    it('throws for options no valid code can have', () => {
      expect(() => makeUnifiedSocialCreditCode({ authority: 'B' })).to.throw(RangeError);
      expect(() => makeUnifiedSocialCreditCode({ authority: '9', category: '9' })).to.throw(RangeError); // 工商 has no 其他
      expect(() => makeUnifiedSocialCreditCode({ region: '35010' })).to.throw(RangeError);
      expect(() => makeUnifiedSocialCreditCode({ organisationCode: 'M000100I4' })).to.throw(RangeError);
      expect(() => makeUnifiedSocialCreditCode({ sequence: 100_000_000 })).to.throw(RangeError);
    });
  });

  describe('properties', () => {
    it('every generated code validates', () => {
      fc.assert(
        fc.property(arbUscc, (code) => {
          expect(isUnifiedSocialCreditCode(code)).to.equal(true);
        }),
        { numRuns: 500 },
      );
    });

    it('changing any one character of a valid code to another character of the set makes it invalid', () => {
      fc.assert(
        fc.property(arbUscc, fc.integer({ min: 0, max: 17 }), arbUsccChar, (code, i, c) => {
          fc.pre(code[i] !== c);
          expect(isUnifiedSocialCreditCode(replaceAt(code, i, c))).to.equal(false);
        }),
        { numRuns: 2000 },
      );
    });

    it('the MOD 31 check detects every single substitution by the check character alone', () => {
      fc.assert(
        fc.property(
          fc.array(arbUsccChar, { minLength: 17, maxLength: 17 }).map((cs) => cs.join('')),
          fc.integer({ min: 0, max: 16 }),
          arbUsccChar,
          (first17, i, c) => {
            fc.pre(first17[i] !== c);
            expect(uscCheckChar(replaceAt(first17, i, c))).to.not.equal(uscCheckChar(first17));
          },
        ),
        { numRuns: 2000 },
      );
      // Exhaustively, by the same linearity argument as for MOD 11-2 (31 is prime, no weight is 0 mod 31).
      for (let i = 0; i < 17; i++) {
        for (const a of USCC_CHARSET) {
          const base = replaceAt('0'.repeat(17), i, a);
          const baseCheck = uscCheckChar(base);
          for (const b of USCC_CHARSET) {
            if (a !== b) expect(uscCheckChar(replaceAt(base, i, b)), `${i}:${a}->${b}`).to.not.equal(baseCheck);
          }
        }
      }
    });
  });
});

describe('ajvIdFormats', () => {
  it('plug into Ajv.addFormat and validate string fields', () => {
    const ajv = new Ajv();
    for (const [name, format] of Object.entries(ajvIdFormats)) ajv.addFormat(name, format);
    const validate = ajv.compile({
      type: 'object',
      properties: { applicant: { type: 'string', format: 'resident-id' }, company: { type: 'string', format: 'uscc' } },
    });
    expect(validate({ applicant: '11010519491231002X', company: '91350100M000100Y43' })).to.equal(true);
    expect(validate({ applicant: '110105194912310021', company: '91350100M000100Y43' })).to.equal(false);
    expect(validate({ applicant: '11010519491231002X', company: '91350100M000100Y44' })).to.equal(false);
  });

  it('are plain string formats', () => {
    expect(Object.keys(ajvIdFormats).sort()).to.deep.equal(['resident-id', 'uscc']);
    expect(ajvIdFormats['resident-id'].type).to.equal('string');
    expect(ajvIdFormats['resident-id'].validate('11010519491231002X')).to.equal(true);
    expect(ajvIdFormats.uscc.validate('91350100M000100Y43')).to.equal(true);
    expect(ajvIdFormats.uscc.validate('11010519491231002X')).to.equal(false);
  });
});
