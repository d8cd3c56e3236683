/**
 * Every page route walked as every kind of visitor, like the API's authorization matrix: the routes come from the
 * web router itself, so a page added without a row here fails this test. Pages ask the same policy as the API
 * (through the same use cases): a role without the capability gets the forbidden page, someone else's thing the
 * not-found page (as for ids that do not exist), nobody the sign-in page. Every form posted without its CSRF
 * token is refused, whoever posts it.
 */
import { expect } from 'chai';
import type { Router } from 'express';
import { openTestServer, person, clerksOf, type Person, type TestServer } from '../support/server.js';
import { approveAll, definitionOf, submitWithFiles } from '../support/services.js';
import { exampleForm } from '../support/world.js';

type Visitor = 'anonymous' | 'owner' | 'otherCitizen' | 'window' | 'reviewer' | 'unrelatedClerk' | 'admin';
/** `conflict`: a 409 page saying the action is not open in the application's state (the policy let the visitor in). */
type Outcome = 'page' | 'signIn' | 'forbidden' | 'notFound' | 'redirect' | 'conflict';
const VISITORS: Visitor[] = ['anonymous', 'owner', 'otherCitizen', 'window', 'reviewer', 'unrelatedClerk', 'admin'];

const everyone = (outcome: Outcome = 'page'): Record<Visitor, Outcome> => Object.fromEntries(VISITORS.map((v) => [v, outcome])) as Record<Visitor, Outcome>;
const citizens = { anonymous: 'signIn', owner: 'page', otherCitizen: 'page', window: 'forbidden', reviewer: 'forbidden', unrelatedClerk: 'forbidden', admin: 'forbidden' } as const;
const ownerOnly = { ...citizens, otherCitizen: 'notFound' } as const;
const clerks = { anonymous: 'signIn', owner: 'forbidden', otherCitizen: 'forbidden', window: 'page', reviewer: 'page', unrelatedClerk: 'page', admin: 'forbidden' } as const;
const windowOnly = { ...clerks, reviewer: 'forbidden', unrelatedClerk: 'forbidden' } as const;
const involvedClerks = { ...clerks, unrelatedClerk: 'notFound' } as const;
const admins = { anonymous: 'signIn', owner: 'forbidden', otherCitizen: 'forbidden', window: 'forbidden', reviewer: 'forbidden', unrelatedClerk: 'forbidden', admin: 'page' } as const;

/** What each visitor meets on each GET page route (with the ids filled in by `paramsFor`). */
const PAGE_ACCESS: Record<string, Record<Visitor, Outcome>> = {
  '/': everyone(),
  '/services/:id': everyone(),
  '/services/:id/notice': everyone(),
  '/verify': everyone(),
  '/verify/:id': everyone(),
  '/sign-in': everyone(),
  '/register': everyone(),
  '/progress': everyone(),
  '/accessibility': everyone(),
  '/privacy': everyone(),
  '/language': everyone('redirect'),
  '/apply/:serviceId': citizens,
  '/apply/:serviceId/section/:key': citizens,
  '/apply/:serviceId/materials': citizens,
  '/apply/:serviceId/check': citizens,
  '/apply/:serviceId/declaration': citizens,
  '/my/applications': citizens,
  '/my/applications/:id': ownerOnly,
  '/my/applications/:id/withdraw': ownerOnly,
  '/my/applications/:id/rate': ownerOnly,
  '/my/wallet': citizens,
  '/my/wallet/:id/pdf': ownerOnly,
  '/work': clerks,
  '/work/intake': windowOnly,
  // The window clerk's intake draft: to any other clerk it is not there, as an unknown id is not.
  '/work/intake/:draftId': { ...windowOnly, reviewer: 'notFound', unrelatedClerk: 'notFound' },
  '/work/intake/:draftId/section/:key': { ...windowOnly, reviewer: 'notFound', unrelatedClerk: 'notFound' },
  '/work/intake/:draftId/materials': { ...windowOnly, reviewer: 'notFound', unrelatedClerk: 'notFound' },
  '/work/intake/:draftId/check': { ...windowOnly, reviewer: 'notFound', unrelatedClerk: 'notFound' },
  '/work/intake/:draftId/declaration': { ...windowOnly, reviewer: 'notFound', unrelatedClerk: 'notFound' },
  '/work/applications/:id': involvedClerks,
  '/work/applications/:id/materials/:material': involvedClerks,
  // In review: the reviewer decides their matter; the window has none to decide.
  '/work/applications/:id/decide': { ...involvedClerks, window: 'conflict' },
  // Submitted: the window asks for a supplement; a reviewer cannot before intake.
  '/work/applications/:id/supplement': { ...involvedClerks, reviewer: 'conflict' },
  '/admin': admins,
  '/admin/services': admins,
  '/admin/services/new': admins,
  '/admin/services/:id': admins,
  '/admin/services/:id/edit': admins,
  '/admin/users': admins,
  '/admin/users/new': admins,
  '/admin/calendar': admins,
  '/admin/reference': admins,
  '/admin/reference/department/new': admins,
  '/admin/reference/department/:id': admins,
  '/admin/reference/certificate-type/new': admins,
  '/admin/reference/certificate-type/:id': admins,
  '/admin/reference/template/new': admins,
  '/admin/reference/template/:id': admins,
  '/admin/reference/template/:id/specimen.pdf': admins,
};

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** The page routes the app serves: the router mounted after the API that answers /sign-in. */
function pageRoutes(app: { router?: Router; _router?: Router }): { method: string; path: string }[] {
  const top = ((app.router ?? app._router) as unknown as { stack: Layer[] }).stack;
  const web = top.map((l) => l.handle?.stack).find((stack) => stack?.some((l) => l.route?.path === '/sign-in'));
  if (!web) throw new Error('the web router is not mounted');
  return web.filter((l) => l.route).flatMap((l) => Object.keys(l.route!.methods).map((m) => ({ method: m.toUpperCase(), path: l.route!.path })));
}

describe('every page route as every visitor', function () {
  this.timeout(180_000);
  let server: TestServer;
  const who: Partial<Record<Visitor, Person>> = {};
  let open: { id: string };
  let done: { id: string };
  let inReview: { id: string };
  let certificateId: string;
  let intakeDraft: string;

  before(async () => {
    server = await openTestServer('sqlite');
    who.owner = await person(server, 'citizen');
    who.otherCitizen = await person(server, 'citizen');
    who.window = await person(server, 'clerk', ['comprehensive-window']);
    who.reviewer = await person(server, 'clerk', ['market-regulation']);
    who.unrelatedClerk = await person(server, 'clerk', ['urban-management']);
    who.admin = await person(server, 'admin');
    const form = exampleForm(definitionOf('business-startup'));
    open = await submitWithFiles(server, who.owner, 'business-startup', form);
    done = await submitWithFiles(server, who.owner, 'business-startup', form);
    inReview = await submitWithFiles(server, who.owner, 'business-startup', form);
    await server.http.post(`/api/v1/applications/${inReview.id}/events`).set(...who.window.auth).send({ type: 'ACCEPT' }).expect(200);
    const clerkOf = clerksOf(() => server);
    expect(await approveAll(server, done.id, clerkOf)).to.equal('completed');
    const wallet = (await server.http.get('/api/v1/certificates').set(...who.owner.auth).expect(200)).body as { id: string }[];
    certificateId = wallet[0]!.id;
    const walkIn = { name: '赵建国', idNumber: '110105196005112029' };
    intakeDraft = (await server.http.post('/api/v1/intake/drafts').set(...who.window.auth).send({ applicant: walkIn, serviceId: 'business-startup' }).expect(201)).body.id as string;
  });
  after(async () => server?.close());

  function paramsFor(path: string): string {
    return path
      .replace('/my/applications/:id/rate', `/my/applications/${done.id}/rate`)
      .replace("/work/applications/:id/decide", `/work/applications/${inReview.id}/decide?type=REJECT&matter=license`)
      .replace(/\/(my|work)\/applications\/:id/, (_m, area: string) => `/${area}/applications/${open.id}`)
      .replace('/my/wallet/:id', `/my/wallet/${certificateId}`)
      .replace('/verify/:id', `/verify/${certificateId}`)
      .replace('/admin/services/:id', '/admin/services/business-startup')
      .replace('/admin/reference/department/:id', '/admin/reference/department/taxation')
      .replace('/admin/reference/certificate-type/:id', '/admin/reference/certificate-type/business-license')
      .replace('/admin/reference/template/:id', '/admin/reference/template/business-license')
      .replace('/services/:id', '/services/business-startup')
      .replace(':serviceId', 'business-startup')
      .replace(':draftId', intakeDraft)
      .replace('/section/:key', '/section/company')
      .replace('/materials/:material', '/materials/id-card')
      .replace('/language', '/language?lang=en&return=/');
  }

  it('has a row for every GET page route, and no row for a route that does not exist', () => {
    const served = pageRoutes(server.onevisit.app as never).filter((r) => r.method === 'GET').map((r) => r.path).sort();
    expect([...new Set(served)]).to.deep.equal(Object.keys(PAGE_ACCESS).sort());
  });

  for (const visitor of VISITORS) {
    it(`as ${visitor}: each page answers as the policy says`, async () => {
      const wrong: string[] = [];
      for (const [pattern, outcomes] of Object.entries(PAGE_ACCESS)) {
        const path = paramsFor(pattern);
        let request = server.http.get(path).set('Accept', 'text/html');
        const p = who[visitor as Exclude<Visitor, 'anonymous'>];
        if (p) request = request.set(...p.auth);
        const res = await request;
        const got: Outcome | string =
          res.status === 200 ? 'page' : res.status === 403 ? 'forbidden' : res.status === 404 ? 'notFound' : res.status === 409 ? 'conflict' : res.status === 303 && String(res.headers.location).startsWith('/sign-in') ? 'signIn' : res.status === 303 ? 'redirect' : `status ${res.status}`;
        if (got !== outcomes[visitor]) wrong.push(`${pattern} (${path}): expected ${outcomes[visitor]}, got ${got}`);
        // Someone else's thing reads exactly as a thing that does not exist.
        if (res.status === 404 && /[0-9a-f]{8}-[0-9a-f-]{27}/.test(path)) {
          const id = /[0-9a-f]{8}-[0-9a-f-]{27}/.exec(path)![0];
          const ghost = path.replace(id, '00000000-0000-4000-8000-000000000000');
          let again = server.http.get(ghost).set('Accept', 'text/html');
          if (p) again = again.set(...p.auth);
          const other = await again;
          expect(other.status, ghost).to.equal(404);
          expect(res.text.replaceAll(id, '<id>'), path).to.equal(other.text.replaceAll('00000000-0000-4000-8000-000000000000', '<id>'));
        }
      }
      expect(wrong).to.deep.equal([]);
    });
  }

  it('refuses every form posted without its CSRF token, for every visitor, with the expired-page page', async () => {
    const posts = pageRoutes(server.onevisit.app as never).filter((r) => r.method === 'POST');
    expect(posts.length).to.be.greaterThan(5);
    const wrong: string[] = [];
    for (const visitor of VISITORS) {
      const p = who[visitor as Exclude<Visitor, 'anonymous'>];
      for (const route of posts) {
        const path = paramsFor(route.path).replace(/:(\w+)/g, 'x');
        // A signed-in browser sends its cookie: that is what CSRF attacks ride on.
        let request = server.http.post(path).set('Accept', 'text/html').type('form').send({ reason: 'x' });
        if (p) request = request.set('Cookie', `onevisit_session=${p.token}`);
        const res = await request;
        if (res.status !== 403 && res.status !== 303 && res.status !== 404) wrong.push(`${visitor} POST ${path}: ${res.status}`);
        if (res.status === 303 && !String(res.headers.location).startsWith('/sign-in')) wrong.push(`${visitor} POST ${path}: redirected to ${res.headers.location}`);
      }
    }
    expect(wrong).to.deep.equal([]);
  });
});
