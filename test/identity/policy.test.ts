/**
 * The authorization policy's tables, decision by decision: what each role may do at all, how a subject stands to
 * an application and what that standing may do and see, who sends which event, which tasks a clerk takes, who
 * reads and changes a certificate (asking for no more facts than the rule it reaches), who checks a commitment.
 */
import { expect } from 'chai';
import { isOnevisitError, type ErrorCode } from '../../src/domain/errors.js';
import { compileDefinition, type ActorRef } from '../../src/definitions/index.js';
import {
  EVENT_SENDERS,
  actorFor,
  applicationAccess,
  claimableTasks,
  eventAccess,
  eventSenders,
  heldTasks,
  listScope,
  may,
  requireCapability,
  requireCertificateChanger,
  requireCertificateReader,
  requirePostCheck,
  requireCounterIntake,
  intakeDraftKeeper,
  appliesAs,
  visibilityOf,
  type CertificateContext,
  type Subject,
} from '../../src/identity/policy.js';
import { EventTypes } from '../../src/domain/vocabulary.js';
import { catalog, loadDefinition } from '../support/world.js';

const definition = (id: string) => loadDefinition(catalog.definitionFiles.find((f) => f.endsWith(`/${id}.json`))!);
const startup = compileDefinition(definition('business-startup'));
const app = { id: 'a-1', applicantId: 'u-applicant', compiled: startup };

const applicant: Subject = { userId: 'u-applicant', role: 'citizen', departments: [] };
const stranger: Subject = { userId: 'u-stranger', role: 'citizen', departments: [] };
const window: Subject = { userId: 'u-window', role: 'clerk', departments: ['comprehensive-window'] };
const tax: Subject = { userId: 'u-tax', role: 'clerk', departments: ['taxation'] };
const water: Subject = { userId: 'u-water', role: 'clerk', departments: ['water-affairs'] };
const admin: Subject = { userId: 'u-admin', role: 'admin', departments: [] };

function refusal(run: () => unknown): ErrorCode {
  try {
    run();
  } catch (error) {
    if (isOnevisitError(error)) return error.code;
    throw error;
  }
  throw new Error('expected a refusal');
}

async function asyncRefusal(run: () => Promise<unknown>): Promise<ErrorCode> {
  try {
    await run();
  } catch (error) {
    if (isOnevisitError(error)) return error.code;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('the authorization policy', () => {
  it('gives each role its capabilities, and refuses the others before anything is looked up', () => {
    expect(may(applicant, 'application.submit')).to.equal(true);
    expect(may(window, 'application.submit')).to.equal(false);
    expect(may(admin, 'application.read')).to.equal(false);
    expect(may(admin, 'audit.read')).to.equal(true);
    expect(refusal(() => requireCapability(tax, 'definition.author'))).to.equal('AUTH.FORBIDDEN');
    expect(refusal(() => requireCapability(admin, 'certificate.read'))).to.equal('AUTH.FORBIDDEN');
  });

  it('lists a citizen their own applications and a clerk the queue of their departments, or of one of them', () => {
    expect(listScope(applicant, 'taxation')).to.deep.equal({ kind: 'own', applicantIds: ['u-applicant'] });
    expect(listScope(tax)).to.deep.equal({ kind: 'queue', departments: ['taxation'] });
    expect(listScope({ ...tax, departments: ['taxation', 'banking'] }, 'banking')).to.deep.equal({ kind: 'queue', departments: ['banking'] });
    expect(refusal(() => listScope(tax, 'banking'))).to.equal('AUTH.FORBIDDEN');
    expect(refusal(() => listScope(admin))).to.equal('AUTH.FORBIDDEN');
  });

  it('lets a clerk of the intake window enter applications at the counter, and nobody else', () => {
    expect(() => requireCounterIntake(window, startup)).to.not.throw();
    expect(refusal(() => requireCounterIntake(tax, startup))).to.equal('AUTH.FORBIDDEN');
    expect(refusal(() => requireCounterIntake(water, startup))).to.equal('AUTH.FORBIDDEN');
    expect(refusal(() => requireCounterIntake(applicant, startup))).to.equal('AUTH.FORBIDDEN');
    expect(refusal(() => requireCounterIntake(admin, startup))).to.equal('AUTH.FORBIDDEN');
    expect(intakeDraftKeeper(tax)).to.equal('u-tax');
    expect(refusal(() => intakeDraftKeeper(applicant))).to.equal('AUTH.FORBIDDEN');
  });

  it("gives a citizen the applications entered at a counter for the person with their id number, and no one else's", () => {
    const walkInApp = { id: 'a-2', applicantId: 'w-person', compiled: startup };
    const holder: Subject = { ...stranger, idNumber: '110105199003071234', walkIn: { id: 'w-person', idNumber: '110105199003071234' } };
    expect(appliesAs(holder)).to.deep.equal(['u-stranger', 'w-person']);
    expect(applicationAccess(holder, walkInApp).kind).to.equal('owner');
    expect(listScope(holder)).to.deep.equal({ kind: 'own', applicantIds: ['u-stranger', 'w-person'] });
    // A record of another number is not theirs, nor is it anyone's without an id number.
    const other: Subject = { ...stranger, idNumber: '110105199003071250', walkIn: { id: 'w-person', idNumber: '110105199003071234' } };
    expect(refusal(() => applicationAccess(other, walkInApp))).to.equal('APPLICATION.NOT_FOUND');
    expect(refusal(() => applicationAccess({ ...stranger, walkIn: { id: 'w-person', idNumber: '110105199003071234' } }, walkInApp))).to.equal('APPLICATION.NOT_FOUND');
    expect(applicationAccess(window, walkInApp).kind).to.equal('window');
  });

  it('tells the applicant, the window and a reviewer apart; to anyone else the application is not there', () => {
    expect(applicationAccess(applicant, app).kind).to.equal('owner');
    expect(applicationAccess(window, app)).to.deep.equal({ kind: 'window', departments: ['comprehensive-window'] });
    expect(applicationAccess(tax, app)).to.deep.equal({ kind: 'reviewer', departments: ['taxation'] });
    expect(refusal(() => applicationAccess(stranger, app))).to.equal('APPLICATION.NOT_FOUND');
    expect(refusal(() => applicationAccess(water, app))).to.equal('APPLICATION.NOT_FOUND');
    expect(refusal(() => applicationAccess(admin, app))).to.equal('AUTH.FORBIDDEN');
  });

  it('lets each standing do only its actions: clerks claim and release, the applicant rates', () => {
    expect(refusal(() => applicationAccess(applicant, app, 'claim'))).to.equal('AUTH.FORBIDDEN');
    expect(refusal(() => applicationAccess(applicant, app, 'release'))).to.equal('AUTH.FORBIDDEN');
    expect(refusal(() => applicationAccess(window, app, 'rate'))).to.equal('AUTH.FORBIDDEN');
    expect(applicationAccess(tax, app, 'claim').kind).to.equal('reviewer');
    expect(applicationAccess(applicant, app, 'rate').kind).to.equal('owner');
    expect(applicationAccess(tax, app, 'material').kind).to.equal('reviewer');
  });

  it('lets the public object during a notice, and nothing else; as the public, not as the applicant', () => {
    const access = eventAccess(stranger, app, 'in_notice', 'OBJECTION');
    expect(access).to.deep.equal({ kind: 'public' });
    expect(actorFor(stranger, access)).to.deep.equal({ kind: 'citizen', id: 'u-stranger' });
    expect(refusal(() => eventAccess(stranger, app, 'in_review', 'OBJECTION'))).to.equal('APPLICATION.NOT_FOUND');
    expect(refusal(() => eventAccess(stranger, app, 'in_notice', 'WITHDRAW'))).to.equal('APPLICATION.NOT_FOUND');
    expect(refusal(() => eventAccess(water, app, 'in_notice', 'OBJECTION'))).to.equal('APPLICATION.NOT_FOUND');
    expect(eventAccess(applicant, app, 'in_notice', 'OBJECTION').kind).to.equal('owner');
    expect(actorFor(tax, applicationAccess(tax, app))).to.deep.equal({ kind: 'clerk', id: 'u-tax', departments: ['taxation'] });
  });

  it('shows the public nothing of the case, a reviewer their matters (not whom it is for), the window and the applicant everything', () => {
    const form = startup.definition.form.examples![0] as Record<string, unknown>;
    const notice = visibilityOf({ kind: 'public' }, startup);
    expect([notice.case, notice.applicant, notice.form(form), notice.material('id-card'), notice.entryDetails(undefined, 'ACCEPT'), notice.certificate('tax')]).to.deep.equal([false, false, {}, false, false, false]);
    const reviewer = visibilityOf(applicationAccess(tax, app), startup);
    expect([reviewer.case, reviewer.applicant]).to.deep.equal([true, false]);
    expect(Object.keys(reviewer.form(form)).sort()).to.deep.equal(['company', 'financialOfficer', 'legalRepresentative', 'tax']);
    expect((reviewer.form(form).company as Record<string, unknown>).postalCode).to.equal(undefined);
    expect([reviewer.material('premises-proof'), reviewer.material('articles-of-association')]).to.deep.equal([true, false]);
    expect([reviewer.entryDetails('tax', 'APPROVE'), reviewer.entryDetails('license', 'APPROVE'), reviewer.entryDetails(undefined, 'REQUEST_SUPPLEMENT')]).to.deep.equal([true, false, false]);
    expect([reviewer.certificate('tax'), reviewer.certificate('license')]).to.deep.equal([true, false]);
    expect(visibilityOf(applicationAccess(window, app), startup).form(form)).to.equal(form);
    expect([visibilityOf(applicationAccess(window, app), startup).applicant, visibilityOf(applicationAccess(applicant, app), startup).applicant]).to.deep.equal([true, true]);
  });

  it('names a sender for every event, and asks a clerk to be of the responsible department (an objection is anyone’s)', () => {
    expect(Object.keys(EVENT_SENDERS).sort()).to.deep.equal(Object.keys(EventTypes).sort());
    const clerk: ActorRef = { kind: 'clerk', id: 'u-tax', departments: ['taxation'] };
    expect(refusal(() => eventSenders.requireKind('ACCEPT', { kind: 'applicant', id: 'u-applicant' }))).to.equal('AUTH.FORBIDDEN');
    expect(refusal(() => eventSenders.requireKind('CERTIFICATES_ISSUED', clerk))).to.equal('AUTH.FORBIDDEN');
    expect(refusal(() => eventSenders.requireKind('WITHDRAW', { kind: 'citizen', id: 'u-stranger' }))).to.equal('AUTH.FORBIDDEN');
    eventSenders.requireKind('OBJECTION', { kind: 'citizen', id: 'u-stranger' });
    eventSenders.requireDepartment('APPROVE', clerk, 'taxation');
    expect(refusal(() => eventSenders.requireDepartment('APPROVE', clerk, 'market-regulation'))).to.equal('AUTH.FORBIDDEN');
    eventSenders.requireDepartment('OBJECTION', clerk, 'talent-office');
    eventSenders.requireDepartment('PAY', { kind: 'applicant', id: 'u-applicant' }, 'taxation');
    expect([eventSenders.actsFor(clerk, 'taxation'), eventSenders.actsFor(clerk, 'banking'), eventSenders.actsFor({ kind: 'applicant', id: 'x' }, 'taxation')]).to.deep.equal([true, false, false]);
    eventSenders.requireSubmitter({ kind: 'applicant', id: 'u-applicant' });
    expect(refusal(() => eventSenders.requireSubmitter(clerk))).to.equal('AUTH.FORBIDDEN');
  });

  it('lets a clerk take the clerks’ tasks of their departments, and give back only those they hold', () => {
    const tasks = [
      { task: 'review:tax', party: 'clerk', department: 'taxation', claimedBy: null },
      { task: 'review:license', party: 'clerk', department: 'market-regulation', claimedBy: 'u-market' },
      { task: 'supplement', party: 'applicant', department: 'taxation', claimedBy: null },
    ];
    expect(claimableTasks(tax, tasks).map((t) => t.task)).to.deep.equal(['review:tax']);
    expect(refusal(() => claimableTasks(tax, tasks.slice(1, 2)))).to.equal('AUTH.FORBIDDEN');
    expect(claimableTasks(tax, tasks.slice(2))).to.deep.equal([]);
    expect(heldTasks({ ...tax, userId: 'u-market' }, tasks).map((t) => t.task)).to.deep.equal(['review:license']);
  });

  describe('certificates', () => {
    const certificate = { id: 'c-1', holderId: '91620100MA00000001', issuer: 'taxation', matterId: 'tax' };
    /** A context that counts what it is asked, holding the given holder ids. */
    const context = (holderIds: string[] = []) => {
      const asked: string[] = [];
      const facts: CertificateContext = {
        holderIds: async () => (asked.push('holderIds'), holderIds),
        application: async () => (asked.push('application'), app),
      };
      return { facts, asked };
    };

    it('lets the holder, the applicant, the issuer and a reviewer of its matter read it; to others it is not there', async () => {
      await requireCertificateReader({ ...stranger }, certificate, context([certificate.holderId]).facts);
      await requireCertificateReader(applicant, certificate, context().facts);
      await requireCertificateReader(tax, certificate, context().facts);
      await requireCertificateReader(tax, { ...certificate, issuer: 'market-regulation' }, context().facts);
      await requireCertificateReader(window, certificate, context().facts);
      for (const reader of [stranger, water, { ...tax, departments: ['banking'] }]) expect(await asyncRefusal(() => requireCertificateReader(reader, certificate, context().facts)), reader.userId).to.equal('CERTIFICATE.NOT_FOUND');
      expect(await asyncRefusal(() => requireCertificateReader(admin, certificate, context().facts))).to.equal('AUTH.FORBIDDEN');
    });

    it('asks for no fact the rule it reaches does not need', async () => {
      const issuer = context();
      await requireCertificateReader(tax, certificate, issuer.facts);
      expect(issuer.asked).to.deep.equal([]);
      const holder = context([certificate.holderId]);
      await requireCertificateReader(stranger, certificate, holder.facts);
      expect(holder.asked).to.deep.equal(['holderIds']);
    });

    it('lets only the issuing department change it', async () => {
      await requireCertificateChanger(tax, certificate, context().facts);
      expect(await asyncRefusal(() => requireCertificateChanger(applicant, certificate, context().facts))).to.equal('AUTH.FORBIDDEN');
      expect(await asyncRefusal(() => requireCertificateChanger(window, certificate, context().facts))).to.equal('AUTH.FORBIDDEN');
      expect(await asyncRefusal(() => requireCertificateChanger(water, certificate, context().facts))).to.equal('CERTIFICATE.NOT_FOUND');
    });

    it('fails as its facts fail: a lookup that cannot be made is no "not found"', async () => {
      const failing: CertificateContext = { holderIds: async () => Promise.reject(new Error('down')), application: async () => Promise.reject(new Error('down')) };
      for (const reader of [stranger, water]) {
        const error = await requireCertificateReader(reader, certificate, failing).then(() => undefined, (e: unknown) => e);
        expect((error as Error).message, reader.userId).to.equal('down');
      }
    });
  });

  it('lets only the post-check department find a commitment true or false', () => {
    const material = { id: 'premises-commitment', postCheck: { department: 'market-regulation' } };
    requirePostCheck({ ...tax, departments: ['market-regulation'] }, material);
    for (const who of [tax, window, applicant, admin]) expect(refusal(() => requirePostCheck(who, material)), who.userId).to.equal('AUTH.FORBIDDEN');
    expect(refusal(() => requirePostCheck({ ...tax, departments: ['market-regulation'] }, { id: 'id-card' }))).to.equal('AUTH.FORBIDDEN');
  });
});
