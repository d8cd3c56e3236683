/**
 * The start-a-business service as the HTTP suites use it: its definition as shipped, the example form,
 * a full set of materials uploaded by a citizen, and applications submitted and moved on over HTTP.
 */
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../src/store/index.js';
import { tinyPdf, type Person, type TestServer } from './server.js';

interface MaterialDefinition {
  id: string;
  commitment?: boolean;
  mediaTypes?: string[];
}

interface MatterDefinition {
  id: string;
  department: string;
  fields: string[];
}

/** workflows/business-startup.json, as raw JSON (what an admin would send). */
export const businessStartup = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'workflows', 'business-startup.json'), 'utf8')) as {
  id: string;
  form: { examples: Record<string, unknown>[] };
  materials: MaterialDefinition[];
  steps: { kind: string; window?: string; matters?: MatterDefinition[] }[];
};

/** The first example form: an agent applies, with employees, a bank booking and a housing fund. */
export const exampleForm = businessStartup.form.examples[0]!;

/** The matters of the review step, by id. */
export const matters: Record<string, MatterDefinition> = Object.fromEntries(
  businessStartup.steps.flatMap((s) => s.matters ?? []).map((m) => [m.id, m]),
);

export interface MaterialClaim {
  materialId: string;
  fileId?: string;
  commitment?: true;
}

/** Uploads a PDF for every material of the service, and the commitment where there is one. */
export async function materialsFor(server: TestServer, citizen: Person): Promise<MaterialClaim[]> {
  const claims: MaterialClaim[] = [];
  for (const m of businessStartup.materials) {
    if (m.commitment) {
      claims.push({ materialId: m.id, commitment: true });
      continue;
    }
    const upload = await server.http.post('/api/v1/files').set(...citizen.auth).attach('file', tinyPdf(), `${m.id}.pdf`).expect(201);
    claims.push({ materialId: m.id, fileId: upload.body.fileId });
  }
  return claims;
}

/** Submits the example form with the given materials; answers the new application's id. */
export async function submitBusinessStartup(server: TestServer, citizen: Person, materials: MaterialClaim[]): Promise<string> {
  const res = await server.http.post('/api/v1/applications').set(...citizen.auth).send({ serviceId: businessStartup.id, form: exampleForm, materials }).expect(201);
  return res.body.id as string;
}

/** Sends one event as `clerk` and expects it to be taken. */
export async function act(server: TestServer, clerk: Person, id: string, event: Record<string, unknown>): Promise<void> {
  await server.http.post(`/api/v1/applications/${id}/events`).set(...clerk.auth).send(event).expect(200);
}
