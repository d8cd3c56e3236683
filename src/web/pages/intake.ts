/**
 * Counter intake (/work/intake/…): the window clerk enters an application for the person at the counter. A start page
 * takes the applicant's name, resident id number and the service; then the citizen's journey (journey.ts) on an intake
 * draft (the clerk's), worded for the clerk: the same question pages from the service's JSON Schema, the materials as
 * scans, check the answers, the applicant's signed confirmation, and a printable receipt with the number and check
 * code. Who may do this is the policy's (`application.intake`, and `requireCounterIntake` per service, asked by the
 * use case).
 */
import type { Request, Response, Router } from 'express';
import { isOnevisitError } from '../../domain/errors.js';
import { chinaDate } from '../../domain/time.js';
import type { Principal } from '../../identity/index.js';
import type { EnteredApplication, IntakeDraft } from '../../application/intake.js';
import { contextOf } from '../context.js';
import type { PageKit } from '../kit.js';
import type { FieldError } from '../form/validate.js';
import { journeyPages } from './journey.js';

export function intakePages(router: Router, kit: PageKit): void {
  const { services } = kit;
  const clerk = (res: Response): Principal => kit.signedIn(res, 'application.intake');

  // ── The start: who is at the counter, and for what ──────────────────────────────────────────────────────────────

  async function renderStart(res: Response, principal: Principal, values: Record<string, string> = {}, errors: FieldError[] = [], status = 200) {
    const page = contextOf(res);
    const catalog = await services.catalog.list();
    // Only the services this clerk's window takes in (none: the counter is not theirs, the forbidden page).
    const enterable = new Set(await services.intake.enterable(principal, catalog.map((s) => s.id)));
    const drafts = await services.intake.listDrafts(principal);
    kit.render(res, 'intake/start.njk', {
      values,
      errors,
      services: catalog.filter((s) => enterable.has(s.id)).map((s) => ({ value: s.id, text: page.l(s.title), selected: values.serviceId === s.id })),
      drafts: drafts.map((d) => ({
        href: `/work/intake/${encodeURIComponent(d.id)}`,
        text: page.t('intake.draftItem', { name: d.applicant.name, idNumber: d.applicant.idNumberMasked, service: page.l(catalog.find((c) => c.id === d.serviceId)?.title) || d.serviceId }),
        updatedAt: chinaDate(d.updatedAt),
      })),
    }, status);
  }

  router.get('/work/intake', async (_req: Request, res: Response) => renderStart(res, clerk(res)));

  router.post('/work/intake', async (req: Request, res: Response) => {
    kit.checkCsrf(req, res);
    const principal = clerk(res);
    const { t } = contextOf(res);
    const body = req.body as Record<string, unknown>;
    const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string).trim() : '');
    // The id number typed is given back only to the page it was typed on, when it has to be corrected.
    const values = { name: text('name'), idNumber: text('idNumber'), serviceId: text('serviceId') };
    const errors: FieldError[] = [];
    if (!values.name) errors.push({ field: 'name', text: t('intake.start.nameRequired') });
    if (values.idNumber.length !== 18) errors.push({ field: 'idNumber', text: t('intake.start.idNumberInvalid') });
    if (!values.serviceId) errors.push({ field: 'serviceId', text: t('intake.start.serviceRequired') });
    if (errors.length > 0) return renderStart(res, principal, values, errors, 400);
    let draft: IntakeDraft;
    try {
      draft = await services.intake.startDraft(principal, { applicant: { name: values.name, idNumber: values.idNumber }, serviceId: values.serviceId });
    } catch (error) {
      if (!isOnevisitError(error)) throw error;
      const refused: FieldError[] | undefined =
        error.code === 'INPUT.INVALID' ? error.errors.map((issue) => ({ field: /idNumber/.test(issue.path) ? 'idNumber' : /name/.test(issue.path) ? 'name' : 'serviceId', text: /idNumber/.test(issue.path) ? t('intake.start.idNumberInvalid') : /name/.test(issue.path) ? t('intake.start.nameRequired') : t('intake.start.serviceRequired') }))
        : error.code === 'AUTH.FORBIDDEN' ? [{ field: 'serviceId', text: t('intake.start.notYourWindow') }]
        : error.code === 'SERVICE.NOT_FOUND' ? [{ field: 'serviceId', text: t('intake.start.serviceRequired') }]
        : undefined;
      if (!refused) throw error;
      return renderStart(res, principal, values, refused, error.code === 'AUTH.FORBIDDEN' ? 403 : 400);
    }
    res.redirect(303, `/work/intake/${encodeURIComponent(draft.id)}`);
  });

  // ── The journey on the intake draft ─────────────────────────────────────────────────────────────────────────────

  const journey = journeyPages<IntakeDraft, EnteredApplication>(router, kit, {
    route: '/work/intake/:draftId',
    capability: 'application.intake',
    audience: 'clerk',
    async open(principal, req) {
      // Another clerk's draft is not there, as an unknown id is not.
      const draft = await services.intake.getDraft(principal, String(req.params.draftId));
      return { serviceId: draft.serviceId, draft, base: `/work/intake/${encodeURIComponent(draft.id)}`, form: draft.form, claims: draft.materials };
    },
    save: (j, form, materials) => services.intake.updateDraft(j.principal, j.draft.id, { serviceId: j.draft.serviceId, form, materials }),
    wallet: (j) => services.intake.walletForDraft(j.principal, j.draft.id),
    finish: {
      title: 'intake.confirm.title',
      view: 'intake/confirm.njk',
      tick: 'signed',
      required: 'intake.confirm.required',
      model: (j) => ({ applicant: j.draft.applicant }),
      send: (j) => () => services.intake.enter(j.principal, { draftId: j.draft.id }),
      refusal: (error) => (isOnevisitError(error, 'APPLICANT.MISMATCH') ? { key: 'intake.mismatch', status: 409 } : undefined),
      receipt: 'intake/receipt.njk',
      receiptModel: (j, entered) => ({ applicant: entered.applicant, enteredBy: j.principal.name }),
    },
  });

  router.get('/work/intake/:draftId', async (req: Request, res: Response) => {
    const j = await journey.open(req, res);
    kit.render(res, 'intake/taskList.njk', {
      service: journey.serviceModel(res, j),
      applicant: j.draft.applicant,
      base: j.base,
      ...(await journey.tasks(res, j)),
    });
  });

  router.post('/work/intake/:draftId/delete', async (req: Request, res: Response) => {
    kit.checkCsrf(req, res);
    const j = await journey.open(req, res);
    await services.intake.removeDraft(j.principal, j.draft.id);
    res.redirect(303, '/work/intake');
  });
}
