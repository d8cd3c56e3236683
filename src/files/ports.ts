/**
 * What the file service needs from storage, as interfaces (like the runtime's `ports.ts`): a row per upload and
 * content-addressed blobs. src/store implements both (`fileStore.ts`, `blobStore.ts`); an object store can stand
 * behind `BlobStore` when servers share no disk. main.ts builds each once and hands them to `createFileService`.
 */
import type { Readable } from 'node:stream';

/** An uploaded file's metadata (the `files` table); the bytes are in the blob store under `sha256`. */
export interface FileRow {
  id: string;
  ownerId: string;
  sha256: string;
  size: number;
  /** The type sniffed from the bytes when the file was accepted. */
  mediaType: string;
  originalName: string;
  createdAt: string;
}

export interface FileStore {
  insert(row: FileRow): Promise<void>;
  get(id: string): Promise<FileRow | undefined>;
  /** The rows of the given ids that exist, in one query. */
  getMany(ids: readonly string[]): Promise<FileRow[]>;
}

export interface StoredBlob {
  sha256: string;
  size: number;
}

export interface BlobStore {
  /** Stores the bytes under their SHA-256; storing the same bytes again changes nothing. */
  put(data: Buffer): Promise<StoredBlob>;
  /** A stream of the blob; rejects (`code: 'ENOENT'`) when there is none, before any byte is sent. */
  open(sha256: string): Promise<Readable>;
  read(sha256: string): Promise<Buffer>;
  has(sha256: string): Promise<boolean>;
}
