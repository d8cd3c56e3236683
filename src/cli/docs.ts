/** `onevisit docs errors [--check]`: docs/errors.md written from the error and issue registries, or checked against them. */
import fs from 'node:fs';
import path from 'node:path';
import { ERROR_DOCS_FILE, errorsMarkdown } from '../http/errorDocs.js';
import { projectRoot } from '../store/index.js';

type Out = { log: (line: string) => void; error: (line: string) => void };

export function docsCommand(args: string[], out: Out, root = projectRoot()): number {
  const [what, ...flags] = args;
  const check = flags.length === 1 && flags[0] === '--check';
  if (what !== 'errors' || (flags.length > 0 && !check)) {
    out.error('usage: onevisit docs errors [--check]');
    return 1;
  }
  const file = path.join(root, ERROR_DOCS_FILE);
  const text = errorsMarkdown();
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  if (check) {
    if (current === text) {
      out.log(`${ERROR_DOCS_FILE} is current`);
      return 0;
    }
    out.error(`${ERROR_DOCS_FILE} differs from the registries: run npm run docs:errors`);
    return 1;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (current !== text) fs.writeFileSync(file, text);
  out.log(`${ERROR_DOCS_FILE}: ${current === text ? 'unchanged' : 'written'}`);
  return 0;
}
