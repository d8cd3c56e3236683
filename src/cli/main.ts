/** Entry point of the `onevisit` command: runs it and turns any failure into a message and an exit code. */
import { isOnevisitError } from '../domain/errors.js';
import { run } from './run.js';

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`onevisit: ${isOnevisitError(error) ? `${error.code}: ${error.message}` : (error as Error).message}`);
    if (isOnevisitError(error)) for (const e of error.errors) console.error(`  ${e.path}  ${e.code}  ${e.message}`);
    process.exitCode = 1;
  },
);
