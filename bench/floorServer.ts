/**
 * The floor of the HTTP benchmark, run as a child process by bench/http.ts exactly as bench/httpServer.ts
 * is: express + express.json, the submit body checked by an ajv-compiled schema (the API's
 * SubmitApplication schema with the business-startup form schema in place of `form`, built by the
 * product's own ajv: ajv-formats plus the resident-id / uscc formats), and one knex insert of a row
 * about the size of onevisit's application row into a table of its own, on SQLite opened by
 * `openDatabase` (WAL and the same pragmas). Answers 201 with the stored row, as onevisit answers with
 * the application. Same protocol as httpServer: `{ port }`, then `{ stop: true }` → `{ stopped, rows }`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { createAjv } from '../src/definitions/index.js';
import { RequestSchemas } from '../src/application/schemas.js';
import { openDatabase, projectRoot } from '../src/store/index.js';

if (!process.send) throw new Error('bench/floorServer.js is forked by bench/http.js');

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
    snapshot: JSON.stringify({ form: body.form, materials: body.materials ?? [], status: 'submitted', state: 'submitted', matters: {}, owed: [] }),
    created_at: new Date().toISOString(),
  };
  await db('submissions').insert(row);
  res.status(201).location(`/api/v1/applications/${row.id}`).json({ ...row, snapshot: undefined, form: body.form, materials: body.materials });
});
app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
  res.status(500).json({ error: String(error) });
});

const server = app.listen(0, '127.0.0.1', () => {
  process.send!({ port: (server.address() as AddressInfo).port });
});
server.keepAliveTimeout = 60_000;

process.on('message', async (message: { stop?: boolean }) => {
  if (!message.stop) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
  const rows = (await db('submissions').count({ n: '*' }).avg({ snapshotBytes: db.raw('length(snapshot)') }).first()) as { n: number; snapshotBytes: number };
  await db.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
  process.send!({ stopped: true, rows: Number(rows.n), rowBytes: Math.round(Number(rows.snapshotBytes)) }, () => process.exit(0));
});
