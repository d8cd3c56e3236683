/** Any workflow of the catalog driven over HTTP: its example forms, and a submission with files for its materials. */
import { expect } from 'chai';
import { compileDefinition } from '../../src/definitions/index.js';
import type { ServiceDefinition } from '../../src/domain/definition.js';
import { tinyPdf, type Person, type TestServer } from './server.js';
import { catalog, loadDefinition } from './world.js';

export function definitionOf(serviceId: string): ServiceDefinition {
  const file = catalog.definitionFiles.find((f) => f.endsWith(`/${serviceId}.json`));
  if (!file) throw new Error(`no workflow ${serviceId}`);
  return loadDefinition(file);
}

/**
 * Submits `form` with a file uploaded for every material that applies (a commitment where one is allowed),
 * except the materials in `leaveOut`; answers the response body.
 */
export async function submitWithFiles(server: TestServer, citizen: Person, serviceId: string, form: Record<string, unknown>, leaveOut: string[] = [], expectStatus = 201) {
  const materials = await uploadedMaterials(server, citizen, serviceId, form, leaveOut);
  const res = await server.http.post('/api/v1/applications').set(...citizen.auth).send({ serviceId, form, materials });
  expect(res.status, JSON.stringify(res.body)).to.equal(expectStatus);
  return res.body;
}

/** Enters `form` at the counter (窗口代录) for the person who walked in, the window's clerk uploading every material as a scan; answers the body. */
export async function enterWithFiles(server: TestServer, clerk: Person, applicant: { name: string; idNumber: string }, serviceId: string, form: Record<string, unknown>) {
  const materials = await uploadedMaterials(server, clerk, serviceId, form, []);
  const res = await server.http.post('/api/v1/intake/applications').set(...clerk.auth).send({ applicant, serviceId, form, materials });
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return res.body;
}

/** A claim for every material of `serviceId` that applies to `form`: a commitment where one is allowed, else a file `uploader` uploads. */
async function uploadedMaterials(server: TestServer, uploader: Person, serviceId: string, form: Record<string, unknown>, leaveOut: readonly string[]) {
  const definition = definitionOf(serviceId);
  const compiled = compileDefinition(definition);
  const materials = [];
  for (const m of definition.materials) {
    if (leaveOut.includes(m.id) || !compiled.applies(`material:${m.id}`, form)) continue;
    if (m.commitment) materials.push({ materialId: m.id, commitment: true });
    else materials.push({ materialId: m.id, fileId: (await server.http.post('/api/v1/files').set(...uploader.auth).attach('file', tinyPdf(), `${m.id}.pdf`).expect(201)).body.fileId });
  }
  return materials;
}

/**
 * Moves an application on as far as clerks can: accepted at the window, every pending matter approved by a
 * clerk of its department. Stops at a final state or a public notice (the scheduler's to end). Answers the status.
 */
export async function approveAll(server: TestServer, id: string, clerkOf: (department: string) => Promise<Person>): Promise<string> {
  for (let round = 0; round < 20; round++) {
    const { view, compiled } = await server.onevisit.engine.inspect(id);
    if (['completed', 'rejected', 'withdrawn', 'terminated', 'in_notice'].includes(view.status)) return view.status;
    if (view.status === 'submitted') {
      await server.http.post(`/api/v1/applications/${id}/events`).set(...(await clerkOf(view.openDepartments[0]!)).auth).send({ type: 'ACCEPT' }).expect(200);
      continue;
    }
    if (view.status !== 'in_review') throw new Error(`approveAll cannot move an application that is ${view.status}`);
    const matters = compiled.definition.steps.flatMap((s) => (s.kind === 'review' ? s.matters : []));
    for (const [matter, state] of Object.entries(view.matters)) {
      if (state !== 'pending') continue;
      const department = matters.find((m) => m.id === matter)!.department;
      await server.http.post(`/api/v1/applications/${id}/events`).set(...(await clerkOf(department)).auth).send({ type: 'APPROVE', matter }).expect(200);
    }
  }
  throw new Error('approveAll went round in circles');
}
