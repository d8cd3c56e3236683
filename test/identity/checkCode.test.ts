/** Check codes: their shape and alphabet, what is stored of them, and how a typed code is compared. */
import { expect } from 'chai';
import { CHECK_CODE_ALPHABET, CHECK_CODE_LENGTH, checkCodeMatches, newCheckCode, normalizeCheckCode } from '../../src/identity/checkCode.js';

describe('check codes', () => {
  it('are 6 characters of an alphabet without look-alikes, each character drawn from all of it', () => {
    expect(CHECK_CODE_ALPHABET).to.not.match(/[01IOL]/);
    expect(new Set(CHECK_CODE_ALPHABET).size).to.equal(31);
    const seen = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const { code } = newCheckCode();
      expect(code).to.have.length(CHECK_CODE_LENGTH);
      for (const c of code) {
        expect(CHECK_CODE_ALPHABET).to.include(c);
        seen.add(c);
      }
    }
    expect(seen.size).to.equal(CHECK_CODE_ALPHABET.length);
  });

  it('are stored as a salted hash that holds neither the code nor repeats for an equal code', () => {
    const a = newCheckCode();
    expect(JSON.stringify(a.stored)).to.not.include(a.code);
    const b = newCheckCode();
    expect(a.stored.salt).to.not.equal(b.stored.salt);
    expect(a.stored.hash).to.not.equal(b.stored.hash);
  });

  it('match the code typed in any case, with spaces or a hyphen, and nothing else', () => {
    const { code, stored } = newCheckCode();
    expect(checkCodeMatches(code, stored)).to.equal(true);
    expect(checkCodeMatches(` ${code.slice(0, 3).toLowerCase()}-${code.slice(3)} `, stored)).to.equal(true);
    expect(normalizeCheckCode('ab3 k7-q')).to.equal('AB3K7Q');
    const other = code.replace(/.$/, (c) => CHECK_CODE_ALPHABET[(CHECK_CODE_ALPHABET.indexOf(c) + 1) % CHECK_CODE_ALPHABET.length]!);
    expect(checkCodeMatches(other, stored)).to.equal(false);
    expect(checkCodeMatches('', stored)).to.equal(false);
    expect(checkCodeMatches(code, { salt: stored.salt, hash: 'short' })).to.equal(false);
  });

  it('never match without a stored code, whatever is typed', () => {
    for (const typed of ['', 'AAAAAA', newCheckCode().code]) expect(checkCodeMatches(typed, undefined)).to.equal(false);
  });
});
