/**
 * The floor of the HTTP benchmark, run as a child process by bench/http.ts exactly as bench/httpServer.ts
 * is: express + express.json, the submit body checked by an ajv-compiled schema (the API's
 * SubmitApplication schema with the business-startup form schema in place of `form`, built by the
 * product's own ajv: ajv-formats plus the resident-id / uscc formats), and one knex insert of a row
 * about the size of onevisit's application row into a table of its own, on SQLite opened by
 * `openDatabase` (WAL and the same pragmas). Answers 201 with the stored row, as onevisit answers with
 * the application. Driven through bench/serverControl.ts, as httpServer is.
 *
 * Durability: the database is opened by the product's `openDatabase`, so it has onevisit's PRAGMA synchronous
 * (FULL since database.ts made it the default) — read back from the connection and announced with the port, and
 * bench/http.ts refuses to compare when it differs from the onevisit server's. BENCH_SQLITE_SYNCHRONOUS sets it
 * as httpServer.ts does.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { createAjv } from '../src/definitions/index.js';
import { RequestSchemas } from '../src/application/schemas.js';
import { openDatabase, projectRoot } from '../src/store/index.js';
import { serverControl } from './serverControl.js';
import { setSynchronous, type Synchronous } from './sqliteSync.js';

const definition = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'workflows', 'business-startup.json'), 'utf8')) as { form: Record<string, unknown> };
const { $schema: _metaSchema, ...formSchema } = definition.form;
const validate = createAjv().compile({ ...RequestSchemas.SubmitApplication, properties: { ...RequestSchemas.SubmitApplication.properties, form: formSchema } });

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onevisit-bench-floor-'));
const db = openDatabase({ url: `sqlite:${path.join(dir, 'floor.sqlite')}` });
await db.schema.createTable('submissions', (t) => {
  t.string('id', 36).primary();
  t.string('applicant_id', 64).notNullable();
  t.string('service_id', 64).notNullable();
  t.string('status', 32).notNullable();
  t.text('snapshot').notNullable();
  t.string('created_at', 32).notNullable();
});

const app = express();
app.disable('x-powered-by');
app.use(express.json({ limit: 1024 * 1024 }));
app.post('/api/v1/applications', async (req: Request, res: Response) => {
  if (!validate(req.body)) {
    res.status(400).json({ errors: validate.errors });
    return;
  }
  const body = req.body as { serviceId: string; form: unknown; materials?: unknown[] };
  const row = {
    id: randomUUID(),
    applicant_id: 'bench-citizen',
    service_id: body.serviceId,
    status: 'submitted',
    // The JSON the engine keeps per application holds the form, the material records and the machine's context: about this size.
    snapshot: JSON.stringify({ status: 'active', value: 'submitted', context: { form: body.form, materials: body.materials ?? [], owed: [], decisions: {}, noticeElapsed: false, extensionDays: 0 }, historyValue: {}, children: {}, serviceHash: 'f'.repeat(64), applicantId: randomUUID() }),
    created_at: new Date().toISOString(),
  };
  await db('submissions').insert(row);
  res.status(201).location(`/api/v1/applications/${row.id}`).json({ ...row, snapshot: undefined, form: body.form, materials: body.materials });
});
app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
  res.status(500).json({ error: String(error) });
});

if (process.env.BENCH_SQLITE_SYNCHRONOUS) await setSynchronous(db, process.env.BENCH_SQLITE_SYNCHRONOUS as Synchronous);
const control = await serverControl({
  db,
  async rows() {
    const r = (await db('submissions').count({ n: '*' }).avg({ bytes: db.raw('length(snapshot)') }).first()) as { n: number; bytes: number };
    return { rows: Number(r.n), rowBytes: Math.round(Number(r.bytes)) };
  },
  async close() {
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  },
});
const server = app.listen(0, '127.0.0.1', () => control.listening(server));
