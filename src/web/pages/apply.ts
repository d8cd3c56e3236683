/**
 * The citizen's application journey (/apply/:serviceId/…): a task list of the form's sections, the materials,
 * check your answers and the declaration; each section a question page rendered from the service's JSON Schema
 * and checked on the server; every save kept as the citizen's draft of that service (the latest one is resumed);
 * submission from the draft, and the confirmation with the number and the check code (shown this once). The question
 * pages, materials and check your answers are the journey the counter intake walks too (journey.ts).
 */
import type { Request, Response, Router } from 'express';
import { chinaDate } from '../../domain/time.js';
import type { Draft } from '../../application/drafts.js';
import type { SubmittedApplication } from '../../application/applications.js';
import { contextOf } from '../context.js';
import type { PageKit } from '../kit.js';
import { journeyPages } from './journey.js';

export function applyPages(router: Router, kit: PageKit): void {
  const { services } = kit;

  const journey = journeyPages<Draft | undefined, SubmittedApplication>(router, kit, {
    route: '/apply/:serviceId',
    // Whoever may apply, as the policy says.
    capability: 'application.submit',
    audience: 'citizen',
    async open(principal, req) {
      const serviceId = String(req.params.serviceId);
      // The citizen's latest draft of the service, if any (the one the pages resume).
      const latest = (await services.drafts.list(principal)).find((d) => d.serviceId === serviceId);
      const draft = latest ? await services.drafts.get(principal, latest.id) : undefined;
      return { serviceId, draft, base: `/apply/${encodeURIComponent(serviceId)}`, form: draft?.form ?? {}, claims: draft?.materials ?? [] };
    },
    save: (j, form, materials) => {
      const body = { serviceId: j.serviceId, form, materials };
      return j.draft ? services.drafts.update(j.principal, j.draft.id, body) : services.drafts.create(j.principal, body);
    },
    wallet: async (j) => (await services.certificates.wallet(j.principal)).filter((c) => c.standing === 'valid'),
    finish: {
      title: 'apply.declaration.title',
      view: 'apply/declaration.njk',
      tick: 'declare',
      required: 'apply.declaration.required',
      send: ({ principal, draft }) => draft && (() => services.applications.submit(principal, { draftId: draft.id })),
      receipt: 'apply/confirmation.njk',
    },
  });

  router.get('/apply/:serviceId', async (req: Request, res: Response) => {
    const j = await journey.open(req, res);
    const page = contextOf(res);
    const others = (await services.drafts.list(j.principal)).filter((d) => d.id !== j.draft?.id);
    const catalog = await services.catalog.list();
    kit.render(res, 'apply/taskList.njk', {
      service: journey.serviceModel(res, j),
      draft: j.draft,
      ...(await journey.tasks(res, j)),
      otherDrafts: others.map((d) => ({ href: `/apply/${encodeURIComponent(d.serviceId)}`, title: page.l(catalog.find((c) => c.id === d.serviceId)?.title) || d.serviceId, updatedAt: chinaDate(d.updatedAt) })),
    });
  });

  router.post('/apply/:serviceId/delete', async (req: Request, res: Response) => {
    kit.checkCsrf(req, res);
    const j = await journey.open(req, res);
    if (j.draft) await services.drafts.remove(j.principal, j.draft.id);
    res.redirect(303, j.base);
  });
}
