/**
 * Uploaded materials: the rules a file must meet (not empty, within the size cap, a PDF, JPEG or PNG by
 * its bytes), where it is kept (blob by content, row by id), and who may see it (its owner alone).
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { OnevisitError } from '../domain/errors.js';
import { isMediaType, MediaTypes, sniffMediaType, type MediaType } from '../domain/mediaType.js';
import { UPLOAD_LIMIT_BYTES } from '../domain/uploads.js';
import type { MaterialVerifier } from '../runtime/ports.js';
import { sanitizeFileName } from './fileName.js';
import type { BlobStore, FileRow, FileStore } from './ports.js';

/** An accepted file. `fileId`, `sha256`, `size` and `mediaType` are what POST /files answers. */
export interface FileRecord {
  fileId: string;
  sha256: string;
  size: number;
  /** Sniffed from the bytes; the name and the declared Content-Type play no part. */
  mediaType: MediaType;
  originalName: string;
  createdAt: string;
}

export interface UploadRequest {
  ownerId: string;
  data: Buffer;
  originalName?: string;
  /** The Content-Type the client declared. Ignored: the type is read from the bytes. */
  declaredType?: string;
}

export interface FileServiceOptions {
  /** The uploads' rows (src/store/fileStore.ts, built once by main.ts). */
  files: FileStore;
  /** Their bytes, by content. */
  blobs: BlobStore;
  /** The size cap in bytes; `UPLOAD_LIMIT_BYTES` when absent. */
  maxBytes?: number;
  now?: () => Date;
  newId?: () => string;
}

export interface FileService {
  /** Accepts and stores a file, or refuses it (FILE.MISSING, FILE.TOO_LARGE, FILE.TYPE_UNSUPPORTED) storing nothing. */
  upload(request: UploadRequest): Promise<FileRecord>;
  /** The owner's file; FILE.NOT_FOUND when there is none or it is someone else's (existence is not revealed). */
  get(fileId: string, ownerId: string): Promise<FileRecord>;
  /** The owner's file and a stream of its bytes; refused as `get` is. */
  content(fileId: string, ownerId: string): Promise<{ record: FileRecord; stream: Readable }>;
  /** The file half of the runtime's `MaterialVerifier`. */
  verifier: Required<Pick<MaterialVerifier, 'checkFile' | 'checkFiles'>>;
}

/** The name given to a file that arrived without a usable one. */
const fallbackNames = {
  'application/pdf': 'file.pdf',
  'image/jpeg': 'file.jpg',
  'image/png': 'file.png',
} as const satisfies Record<MediaType, string>;

const MAX_OWNER_ID_LENGTH = 128;

export function createFileService(options: FileServiceOptions): FileService {
  const files = options.files;
  const blobs = options.blobs;
  const maxBytes = options.maxBytes ?? UPLOAD_LIMIT_BYTES;
  const now = options.now ?? (() => new Date());
  const newId = options.newId ?? randomUUID;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) {
    throw new OnevisitError('CONFIG.INVALID', `the upload size cap must be a positive whole number of bytes, not ${maxBytes}`);
  }

  async function find(fileId: string, ownerId: string): Promise<FileRow | undefined> {
    const row = await files.get(fileId);
    return row && row.ownerId === ownerId ? row : undefined;
  }

  async function get(fileId: string, ownerId: string): Promise<FileRecord> {
    const row = await find(fileId, ownerId);
    if (!row) throw new OnevisitError('FILE.NOT_FOUND', `no file ${fileId}`);
    return toRecord(row);
  }

  return {
    async upload({ ownerId, data, originalName }) {
      if (typeof ownerId !== 'string' || ownerId === '' || ownerId.length > MAX_OWNER_ID_LENGTH) {
        throw new OnevisitError('INPUT.INVALID', 'a file needs an owner');
      }
      if (!Buffer.isBuffer(data) || data.length === 0) throw new OnevisitError('FILE.MISSING', 'the file is empty');
      if (data.length > maxBytes) {
        throw new OnevisitError('FILE.TOO_LARGE', `the file has ${data.length} bytes; at most ${maxBytes} are accepted`, { details: { maxBytes } });
      }
      const mediaType = sniffMediaType(data);
      if (!mediaType) {
        throw new OnevisitError('FILE.TYPE_UNSUPPORTED', undefined, { details: { accepted: Object.values(MediaTypes) } });
      }
      // The blob first: a crash in between leaves an unreferenced blob, never a row without its bytes.
      const blob = await blobs.put(data);
      const row: FileRow = {
        id: newId(),
        ownerId,
        sha256: blob.sha256,
        size: blob.size,
        mediaType,
        originalName: sanitizeFileName(originalName, fallbackNames[mediaType]),
        createdAt: now().toISOString(),
      };
      await files.insert(row);
      return toRecord(row);
    },

    get,

    async content(fileId, ownerId) {
      const record = await get(fileId, ownerId);
      return { record, stream: await blobs.open(record.sha256) };
    },

    verifier: {
      async checkFile(ownerId, fileId, mediaTypes) {
        return fileProblem(fileId, await find(fileId, ownerId), mediaTypes);
      },
      async checkFiles(ownerId, requests) {
        const rows = new Map((await files.getMany(requests.map((r) => r.fileId))).filter((r) => r.ownerId === ownerId).map((r) => [r.id, r]));
        return requests.map((r) => fileProblem(r.fileId, rows.get(r.fileId), r.mediaTypes));
      },
    },
  };
}

/** Someone else's file reads as a missing one, as it does for `get`: ids are not to be probed. */
function fileProblem(fileId: string, row: FileRow | undefined, mediaTypes: readonly string[] | undefined): string | undefined {
  if (!row) return `no file ${fileId} of yours`;
  if (mediaTypes && !mediaTypes.includes(row.mediaType)) return `file ${fileId} is ${row.mediaType}; this material accepts ${mediaTypes.join(', ')}`;
  return undefined;
}

function toRecord(row: FileRow): FileRecord {
  const mediaType = row.mediaType;
  if (!isMediaType(mediaType)) throw new Error(`file ${row.id} is stored with an unknown media type ${JSON.stringify(mediaType)}`);
  return {
    fileId: row.id,
    sha256: row.sha256,
    size: row.size,
    mediaType,
    originalName: row.originalName,
    createdAt: row.createdAt,
  };
}
