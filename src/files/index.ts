/** Uploaded materials: rules, storage and ownership. The HTTP route hands the multipart body to `upload`. */
export {
  createFileService,
  type FileService,
  type FileServiceOptions,
  type FileRecord,
  type UploadRequest,
} from './files.js';
export { sanitizeFileName, MAX_FILE_NAME_LENGTH } from './fileName.js';
export type { FileStore, FileRow, BlobStore, StoredBlob } from './ports.js';
