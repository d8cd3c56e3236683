/**
 * The name an uploaded file arrived with, made safe to store and show: it is only a label (the bytes are
 * stored under their hash), but it reaches pages, logs and Content-Disposition headers.
 */

export const MAX_FILE_NAME_LENGTH = 255;

/** Control characters, and the invisible direction marks that can disguise an extension ("‮fdp.exe"). */
const UNSAFE = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
/** The longest extension kept whole when a long name is shortened. */
const MAX_EXTENSION_LENGTH = 16;

/**
 * The last path segment of `name`, without control characters or surrounding spaces, at most
 * `MAX_FILE_NAME_LENGTH` characters (the stem is shortened, the extension kept); `fallback` when
 * nothing usable is left.
 */
export function sanitizeFileName(name: string | undefined, fallback: string): string {
  if (typeof name !== 'string') return fallback;
  const cleaned = name.normalize('NFC').replace(UNSAFE, '');
  const base = (cleaned.split(/[/\\]/).pop() ?? '').trim();
  if (base === '' || /^\.+$/.test(base)) return fallback;
  return shorten(base);
}

function shorten(name: string): string {
  // Code points, not UTF-16 units, so a character outside the BMP is never cut in half.
  const chars = Array.from(name);
  if (chars.length <= MAX_FILE_NAME_LENGTH) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? Array.from(name.slice(dot)) : [];
  if (extension.length === 0 || extension.length > MAX_EXTENSION_LENGTH) return chars.slice(0, MAX_FILE_NAME_LENGTH).join('');
  const stem = chars.slice(0, chars.length - extension.length);
  return stem.slice(0, MAX_FILE_NAME_LENGTH - extension.length).join('').trimEnd() + extension.join('');
}
