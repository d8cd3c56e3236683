/** Uploaded materials: rules, storage and ownership. The HTTP route hands the multipart body to `upload`. */
export {
  createFileService,
  UPLOAD_LIMIT_BYTES,
  type FileService,
  type FileServiceOptions,
  type FileRecord,
  type UploadRequest,
} from './files.js';
export { sanitizeFileName, MAX_FILE_NAME_LENGTH } from './fileName.js';
