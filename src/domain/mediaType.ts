/**
 * The media types an uploaded material may have, told from the file's first bytes (its magic number).
 * Never from the file name or a declared Content-Type: both are the sender's claim, the bytes are the file.
 */

export const MediaTypes = {
  pdf: 'application/pdf',
  jpeg: 'image/jpeg',
  png: 'image/png',
} as const;
export type MediaType = (typeof MediaTypes)[keyof typeof MediaTypes];

/** The signatures at offset 0, per type. */
const signatures = {
  'application/pdf': [0x25, 0x50, 0x44, 0x46, 0x2d], // "%PDF-"
  'image/jpeg': [0xff, 0xd8, 0xff],
  'image/png': [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
} as const satisfies Record<MediaType, readonly number[]>;

/** How many leading bytes `sniffMediaType` looks at: a caller holding a stream needs no more than this. */
export const SNIFF_BYTES = Math.max(...Object.values(signatures).map((s) => s.length));

/** The type whose signature `head` starts with, or undefined when it is none of the accepted ones. */
export function sniffMediaType(head: Uint8Array): MediaType | undefined {
  for (const [type, magic] of Object.entries(signatures) as [MediaType, readonly number[]][]) {
    if (head.length >= magic.length && magic.every((byte, i) => head[i] === byte)) return type;
  }
  return undefined;
}

export function isMediaType(value: string): value is MediaType {
  return Object.hasOwn(signatures, value);
}
