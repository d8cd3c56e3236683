/**
 * Content-addressed blobs: bytes stored once under their SHA-256. The file service sees only the
 * `BlobStore` port (src/files/ports.ts), so an object store can stand behind it when servers share no disk.
 */
import { createHash, randomBytes } from 'node:crypto';
import fsp, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { BlobStore } from '../files/ports.js';

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Blobs as files `<dir>/<first two hex digits>/<sha256>`. A blob is written to a temporary file in its
 * final directory, flushed, then renamed: a crash leaves at most a `.tmp-*` file, never a partial blob
 * under its final name. Temporary files are never read and may be deleted at any time.
 */
export function createBlobStore(dir: string): BlobStore {
  const root = path.resolve(dir);

  function locate(sha256: string): string {
    // The digest becomes a path: anything but 64 lowercase hex digits could leave the directory.
    if (!SHA256.test(sha256)) throw new TypeError(`not a SHA-256 digest: ${JSON.stringify(sha256)}`);
    return path.join(root, sha256.slice(0, 2), sha256);
  }

  return {
    async put(data) {
      const sha256 = createHash('sha256').update(data).digest('hex');
      const target = locate(sha256);
      const blob = { sha256, size: data.length };
      if (await exists(target)) return blob;
      const shard = path.dirname(target);
      const created = await fsp.mkdir(shard, { recursive: true });
      const temp = path.join(shard, `.tmp-${randomBytes(8).toString('hex')}`);
      try {
        const handle = await fsp.open(temp, 'wx', 0o640);
        try {
          await handle.writeFile(data);
          await handle.sync();
        } finally {
          await handle.close();
        }
        // Atomic on one file system; a concurrent put of the same bytes renames identical content.
        await fsp.rename(temp, target);
      } catch (error) {
        await fsp.rm(temp, { force: true });
        throw error;
      }
      // Make the new name (and a new shard directory) durable before a database row refers to it.
      await syncDirectory(shard);
      if (created !== undefined) await syncDirectory(path.dirname(shard));
      return blob;
    },

    async open(sha256) {
      const file = locate(sha256);
      try {
        const handle = await fsp.open(file, 'r');
        return handle.createReadStream();
      } catch (error) {
        throw missingOr(error, sha256);
      }
    },

    async read(sha256) {
      const file = locate(sha256);
      try {
        return await fsp.readFile(file);
      } catch (error) {
        throw missingOr(error, sha256);
      }
    },

    async has(sha256) {
      return SHA256.test(sha256) && exists(locate(sha256));
    },
  };
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await fsp.stat(file)).isFile();
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
}

/** Best effort: some platforms (Windows) cannot open or flush a directory. */
async function syncDirectory(directory: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await fsp.open(directory, 'r');
    await handle.sync();
  } catch (error) {
    if (!['EISDIR', 'EPERM', 'EINVAL', 'EBADF', 'EACCES'].includes(errorCode(error) ?? '')) throw error;
  } finally {
    await handle?.close();
  }
}

function missingOr(error: unknown, sha256: string): unknown {
  if (errorCode(error) !== 'ENOENT') return error;
  return Object.assign(new Error(`no blob ${sha256}`, { cause: error }), { code: 'ENOENT' });
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
