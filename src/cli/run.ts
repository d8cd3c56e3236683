/**
 * The `onevisit` command. Every failure is a message and a non-zero exit, never a stack trace.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createDefinitionValidator, compileDefinition, parseDefinitionText, parseDepartments, parseCertificateTypes, ReferenceKinds, toMermaid, MAX_DEFINITION_BYTES, type ValidationResult } from '../definitions/index.js';
import { isOnevisitError, type ErrorCode, type Issue, type IssueCode } from '../domain/errors.js';
import { createIdentity, readCommonPasswords, type Role } from '../identity/index.js';
import { describeDatabase, migrateLatest, openDatabase, readCatalog, createDefinitionStore, createIdentityStore, createReferenceStore, type Database } from '../store/index.js';
import { withStartLock } from '../store/startLock.js';
import { definitionHash } from '../definitions/index.js';
import { keysDir, rotateKey } from '../certificates/keys.js';
import { AuditKinds } from '../domain/audit.js';
import { createAuditStore, verifyAuditChain } from '../store/audit.js';
import { publicationAudit } from '../application/catalog.js';
import { readConfig } from './config.js';
import { simulate } from './simulate.js';
import { serve } from './serve.js';
import { docsCommand } from './docs.js';

const USAGE = `usage: onevisit <command>

  validate <files...>          check service definitions; prints every error with its path
  diagram <file>               print the compiled machine as a Mermaid stateDiagram-v2
  simulate <file> [--form f.json] [--reject matter]... [--defer]
                               drive a definition to a final state with generated events
  serve                        serve the HTTP API (PORT, default 3000); ONEVISIT_DEMO=1 seeds demo accounts
  migrate                      create or update the database schema
  demo                         migrate, publish workflows/ and simulate every service
  user add --username U --password P --role citizen|clerk|admin [--departments a,b] [--name N] [--id-number N]
                               create an account (clerks need a department; citizens a name and id number;
                               a password has 10+ characters and is not one of the 10,000 most common)
  user disable --username U    disable an account: it cannot sign in, and its sessions end at once
  user enable --username U     let a disabled account sign in again
  keys rotate                  add a new certificate signing key to ONEVISIT_DATA_DIR/keys; it signs from now on,
                               the old keys keep verifying
  audit verify [--batch N]     walk the audit trail's hash chain from seq 1; exit 0 when it is whole, 1 naming
                               the first row that does not fit (edited, deleted, moved)
  docs errors [--check]        write docs/errors.md from the error and issue registries (--check: exit 1 if it differs)

environment: PORT, ONEVISIT_DATA_DIR (default ./data), ONEVISIT_DATABASE_URL (postgres://… or sqlite:<file>),
             ONEVISIT_DATABASE_SCHEMA (PostgreSQL schema), ONEVISIT_BASE_URL, ONEVISIT_DEMO`;

type Out = { log: (line: string) => void; error: (line: string) => void };

export async function run(argv: string[], out: Out = { log: (l) => console.log(l), error: (l) => console.error(l) }): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'validate':
      return validateFiles(rest, out);
    case 'diagram':
      return diagram(rest, out);
    case 'simulate':
      return simulateFile(rest, out);
    case 'migrate':
      return migrate(out);
    case 'demo':
      return demo(out);
    case 'user':
      return user(rest, out);
    case 'keys':
      return keys(rest, out);
    case 'audit':
      return auditCommand(rest, out);
    case 'docs':
      return docsCommand(rest, out);
    case 'serve':
      return serve(readConfig(), out);
    case undefined:
    case 'help':
    case '--help':
      out.log(USAGE);
      return command === undefined ? 1 : 0;
    default:
      out.error(`onevisit: unknown command "${command}"\n\n${USAGE}`);
      return 1;
  }
}

/** Reads and validates one definition file; problems come back as issues, never as exceptions. */
function checkFile(file: string): ValidationResult {
  const catalog = readCatalog();
  let text: string;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) return invalid('FILE.UNREADABLE', `${file} is not a file`);
    if (stat.size > MAX_DEFINITION_BYTES) return invalid('DEFINITION.TOO_LARGE', `the file is ${stat.size} bytes; at most ${MAX_DEFINITION_BYTES} are accepted`);
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    return invalid('FILE.UNREADABLE', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const parsed = parseDefinitionText(text);
  if (!parsed.ok) return { valid: false, errors: parsed.errors };
  return createDefinitionValidator(catalog.definitionSchema).validate(parsed.value, catalog.context);
}

const invalid = (code: IssueCode, message: string): ValidationResult => ({ valid: false, errors: [{ path: '', code, message }] });

/** What the command prints per problem: an issue, or an error that came without issues. */
type Report = Omit<Issue, 'code'> & { code: IssueCode | ErrorCode };

function printIssues(file: string, errors: readonly Report[], out: Out) {
  out.error(`${file}: ${errors.length} error${errors.length === 1 ? '' : 's'}`);
  for (const e of errors) out.error(`  ${e.path || '(document)'}  ${e.code}  ${e.message}`);
}

const CATALOG_FILES: Record<string, (value: unknown, source: string) => unknown> = {
  'departments.json': parseDepartments,
  'certificate-types.json': parseCertificateTypes,
};

/** The issues of a catalog file (departments, certificate types), or undefined when it is valid. */
function checkCatalogFile(file: string, parse: (value: unknown, source: string) => unknown): Report[] | undefined {
  try {
    const parsed = parseDefinitionText(fs.readFileSync(file, 'utf8'));
    if (!parsed.ok) return parsed.errors;
    parse(parsed.value, path.basename(file));
    return undefined;
  } catch (error) {
    if (isOnevisitError(error)) return error.errors.length > 0 ? [...error.errors] : [{ path: '', code: error.code, message: error.message }];
    return [{ path: '', code: 'FILE.UNREADABLE', message: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` }];
  }
}

function validateFiles(files: string[], out: Out): number {
  if (files.length === 0) {
    out.error('onevisit validate: name at least one definition file');
    return 1;
  }
  let failed = 0;
  for (const file of files) {
    // The catalog's own files sit beside the definitions (so `validate workflows/*.json` checks everything).
    const catalogFile = CATALOG_FILES[path.basename(file)];
    if (catalogFile) {
      const problem = checkCatalogFile(file, catalogFile);
      if (problem === undefined) out.log(`${file}: valid (${path.basename(file, '.json')})`);
      else {
        failed++;
        printIssues(file, problem, out);
      }
      continue;
    }
    const result = checkFile(file);
    if (result.valid) out.log(`${file}: valid (${result.definition.id} v${result.definition.version})`);
    else {
      failed++;
      printIssues(file, result.errors, out);
    }
  }
  return failed === 0 ? 0 : 1;
}

function diagram(args: string[], out: Out): number {
  const [file] = args;
  if (!file || args.length !== 1) {
    out.error('onevisit diagram: name one definition file');
    return 1;
  }
  const result = checkFile(file);
  if (!result.valid) {
    printIssues(file, result.errors, out);
    return 1;
  }
  out.log(toMermaid(compileDefinition(result.definition)).trimEnd());
  return 0;
}

function simulateFile(args: string[], out: Out): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { form: { type: 'string' }, reject: { type: 'string', multiple: true }, defer: { type: 'boolean' } } });
  const [file] = positionals;
  if (!file || positionals.length !== 1) {
    out.error('onevisit simulate: name one definition file');
    return 1;
  }
  const result = checkFile(file);
  if (!result.valid) {
    printIssues(file, result.errors, out);
    return 1;
  }
  let form: Record<string, unknown> | undefined;
  if (values.form) {
    const parsed = parseDefinitionText(fs.readFileSync(values.form, 'utf8'));
    if (!parsed.ok) {
      printIssues(values.form, parsed.errors, out);
      return 1;
    }
    form = parsed.value as Record<string, unknown>;
  }
  const { steps, final } = simulate(result.definition, { ...(form ? { form } : {}), ...(values.reject ? { reject: values.reject } : {}), ...(values.defer ? { defer: true } : {}) });
  out.log(`${result.definition.id} v${result.definition.version}: ${result.definition.title['zh-Hans']}`);
  steps.forEach((s, i) => out.log(`${String(i + 1).padStart(3)}. ${s.event.padEnd(32)} ${s.actor.padEnd(36)} → ${s.to}  [${s.status}]`));
  out.log(`${final} after ${steps.length} events`);
  return final === 'completed' ? 0 : 2;
}

/** The configured database (not yet migrated: the commands migrate under the start lock). */
function openConfigured(config: ReturnType<typeof readConfig>): Database {
  return openDatabase({ dataDir: config.dataDir, ...(config.databaseUrl ? { url: config.databaseUrl } : {}), ...(config.databaseSchema ? { schema: config.databaseSchema } : {}) });
}

async function migrate(out: Out): Promise<number> {
  const config = readConfig();
  const db = openConfigured(config);
  try {
    const ran = await withStartLock(db, () => migrateLatest(db));
    out.log(`${describeDatabase(db)}: ${ran.length ? `ran ${ran.join(', ')}` : 'already up to date'}`);
    return 0;
  } finally {
    await db.destroy();
  }
}

async function demo(out: Out): Promise<number> {
  const config = readConfig();
  const catalog = readCatalog();
  const db = openConfigured(config);
  try {
    await withStartLock(db, () => migrateLatest(db));
    const store = createDefinitionStore(db);
    out.log(`onevisit — ${describeDatabase(db)}`);
    for (const file of catalog.definitionFiles) {
      const result = checkFile(file);
      if (!result.valid) {
        printIssues(file, result.errors, out);
        return 1;
      }
      const published = await store.publish(result.definition, definitionHash, 'demo', new Date().toISOString());
      if (published.created) await createAuditStore(db).append(publicationAudit(published, CLI_ACTOR));
      const { steps, final } = simulate(published.definition);
      out.log(`\n${published.definition.title['zh-Hans']} / ${published.definition.title.en} — published as v${published.definition.version}`);
      steps.forEach((s, i) => out.log(`${String(i + 1).padStart(3)}. ${s.event.padEnd(32)} ${s.actor.padEnd(36)} [${s.status}]`));
      out.log(`    → ${final} after ${steps.length} events`);
    }
    return 0;
  } finally {
    await db.destroy();
  }
}


async function user(args: string[], out: Out): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === 'disable' || subcommand === 'enable') return userSwitch(subcommand, rest, out);
  if (subcommand !== 'add') {
    out.error(`onevisit user: ${subcommand === undefined ? 'name a subcommand' : `unknown subcommand "${subcommand}"`} (add, disable, enable)\n\n${USAGE}`);
    return 1;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      username: { type: 'string' },
      password: { type: 'string' },
      role: { type: 'string' },
      departments: { type: 'string' },
      name: { type: 'string' },
      'id-number': { type: 'string' },
    },
  });
  if (positionals.length > 0) {
    out.error(`onevisit user add: unexpected argument "${positionals[0]}"`);
    return 1;
  }
  const config = readConfig();
  const catalog = readCatalog();
  const db = openConfigured(config);
  try {
    await withStartLock(db, () => migrateLatest(db));
    // The shipped departments, and those admins added (kept in the database).
    const stored = (await createReferenceStore(db).all()).filter((entry) => entry.kind === ReferenceKinds.department);
    const departments = new Set([...catalog.departments.map((d) => d.id), ...stored.map((entry) => entry.id)]);
    const knownDepartments = async () => departments;
    const identity = createIdentity({ store: createIdentityStore(db), commonPasswords: readCommonPasswords(catalog.commonPasswordsFile), knownDepartments });
    // Missing options stay undefined: addUser reports each of them with its path.
    const created = await identity.addUser({
      username: values.username as string,
      password: values.password as string,
      role: values.role as Role,
      departments: values.departments?.split(',').map((d) => d.trim()).filter((d) => d !== ''),
      name: values.name,
      idNumber: values['id-number'],
    });
    const inDepartments = created.departments.length > 0 ? `, departments ${created.departments.join(', ')}` : '';
    const idNumber = created.idNumberMasked === null ? '' : `, id number ${created.idNumberMasked}`;
    await createAuditStore(db).append({ at: new Date().toISOString(), kind: AuditKinds.userAdded, actor: CLI_ACTOR, subject: { kind: 'user', id: created.id }, detail: { username: created.username, role: created.role, departments: created.departments, idNumberMasked: created.idNumberMasked } });
    out.log(`created ${created.role} ${created.username}: id ${created.id}, name ${created.name}${inDepartments}${idNumber}`);
    return 0;
  } catch (error) {
    if (isOnevisitError(error, 'INPUT.INVALID') || isOnevisitError(error, 'PASSWORD.WEAK')) printIssues('onevisit user add', error.errors, out);
    else if (isOnevisitError(error, 'USER.EXISTS')) out.error(`onevisit user add: ${error.code}: ${values.username} is taken`);
    else throw error;
    return 1;
  } finally {
    await db.destroy();
  }
}

/** `user disable --username U` / `user enable --username U`: exit 1 for an unknown account. */
async function userSwitch(subcommand: 'disable' | 'enable', args: string[], out: Out): Promise<number> {
  let values: { username?: string | undefined };
  try {
    ({ values } = parseArgs({ args, options: { username: { type: 'string' } } }));
  } catch (error) {
    out.error(`onevisit user ${subcommand}: ${(error as Error).message}`);
    return 1;
  }
  if (!values.username) {
    out.error(`onevisit user ${subcommand}: name the account with --username U`);
    return 1;
  }
  const config = readConfig();
  const db = openConfigured(config);
  try {
    await withStartLock(db, () => migrateLatest(db));
    const identity = createIdentity({ store: createIdentityStore(db), commonPasswords: readCommonPasswords(readCatalog().commonPasswordsFile) });
    const account = await identity.findAccountByUsername(values.username);
    if (!account) {
      out.error(`onevisit user ${subcommand}: USER.NOT_FOUND: there is no account ${values.username}`);
      return 1;
    }
    if (subcommand === 'disable') {
      const was = account.disabled;
      await identity.disableUser(account.id);
      out.log(`disabled ${account.role} ${account.username}${was ? ' (it was disabled already)' : ''}: it cannot sign in, and its sessions have ended`);
    } else {
      const was = !account.disabled;
      await identity.enableUser(account.id);
      out.log(`enabled ${account.role} ${account.username}${was ? ' (it was not disabled)' : ''}: it can sign in again`);
    }
    await createAuditStore(db).append({
      at: new Date().toISOString(),
      kind: subcommand === 'disable' ? AuditKinds.userDisabled : AuditKinds.userEnabled,
      actor: CLI_ACTOR,
      subject: { kind: 'user', id: account.id },
      detail: { username: account.username },
    });
    return 0;
  } finally {
    await db.destroy();
  }
}

async function keys(args: string[], out: Out): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand !== 'rotate' || rest.length > 0) {
    const problem = subcommand === undefined ? 'name a subcommand' : subcommand !== 'rotate' ? `unknown subcommand "${subcommand}"` : `unexpected argument "${rest[0]}"`;
    out.error(`onevisit keys: ${problem} (rotate)\n\n${USAGE}`);
    return 1;
  }
  const dir = keysDir(readConfig().dataDir);
  const id = await rotateKey(dir);
  out.log(`new signing key ${id} in ${dir}: older keys keep verifying; running servers sign with it within a minute`);
  return 0;
}

/** Who acts when the command line changes something. */
const CLI_ACTOR = { kind: 'system', id: 'cli' } as const;

/** `audit verify`: the chain walked from seq 1 in batches; 0 when whole, 1 naming the first row that does not fit. */
async function auditCommand(args: string[], out: Out): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand !== 'verify') {
    out.error(`onevisit audit: ${subcommand === undefined ? 'name a subcommand' : `unknown subcommand "${subcommand}"`} (verify)\n\n${USAGE}`);
    return 1;
  }
  let batch: number | undefined;
  try {
    const { values } = parseArgs({ args: rest, options: { batch: { type: 'string' } } });
    if (values.batch !== undefined) {
      batch = Number(values.batch);
      if (!Number.isInteger(batch) || batch < 1) throw new Error(`--batch takes a positive whole number, not "${values.batch}"`);
    }
  } catch (error) {
    out.error(`onevisit audit verify: ${(error as Error).message}`);
    return 1;
  }
  const db = openConfigured(readConfig());
  try {
    await withStartLock(db, () => migrateLatest(db));
    const result = await verifyAuditChain(db, batch === undefined ? {} : { batchSize: batch });
    if (result.ok) {
      out.log(`${describeDatabase(db)}: the audit trail is whole: ${result.rows} row${result.rows === 1 ? '' : 's'}${result.rows ? `, seq 1–${result.headSeq}, head ${result.headHash}` : ''}`);
      return 0;
    }
    out.error(`onevisit audit verify: the audit trail is broken at seq ${result.seq} (${result.problem}): ${result.message}; ${result.rows} row${result.rows === 1 ? '' : 's'} before it fit`);
    return 1;
  } finally {
    await db.destroy();
  }
}
