/** How large an upload may be: one number the file service and the HTTP layer's multipart reader share. */

/** The default size cap (10 MiB); also the `limits.fileSize` to give multer, which allows exactly this many bytes. */
export const UPLOAD_LIMIT_BYTES = 10 * 1024 * 1024;
