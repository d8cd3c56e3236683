/**
 * Uploads as people use them: who may upload (asked before the body is read), and reading back one's own files.
 * What a file must be and where it is kept is src/files'; who may do what is the policy's.
 */
import type { Readable } from 'node:stream';
import type { FileRecord, FileService } from '../files/index.js';
import { fileOwnerFor, requireCapability, type Subject } from '../identity/policy.js';

export interface FilesDeps {
  files: Pick<FileService, 'upload' | 'get' | 'content'>;
}

/** A file as it arrived: its bytes, and the name and type its sender gave (the type is sniffed from the bytes). */
export interface Upload {
  data: Buffer;
  originalName?: string;
  declaredType?: string;
}

export function createFileUseCases({ files }: FilesDeps) {
  return {
    /** Refuses (AUTH.FORBIDDEN) whoever may not upload: asked before the body is read, so their bytes go nowhere. */
    requireUploader(subject: Subject): void {
      requireCapability(subject, 'file.upload');
    },

    /** Stores the file as the subject's own. */
    async upload(subject: Subject, upload: Upload): Promise<FileRecord> {
      requireCapability(subject, 'file.upload');
      return files.upload({ ...upload, ownerId: fileOwnerFor(subject) });
    },

    /** One of the subject's files; anyone else's is FILE.NOT_FOUND, as an unknown id is. */
    async get(subject: Subject, id: string): Promise<FileRecord> {
      return files.get(id, fileOwnerFor(subject));
    },

    /** The bytes of one of the subject's files; refused as `get` is. */
    async content(subject: Subject, id: string): Promise<{ record: FileRecord; stream: Readable }> {
      return files.content(id, fileOwnerFor(subject));
    },
  };
}

export type FileUseCases = ReturnType<typeof createFileUseCases>;
