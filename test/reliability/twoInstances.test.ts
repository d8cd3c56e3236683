/**
 * Two `onevisit serve` processes, A and B, on one database and one data directory, driven over HTTP:
 * - a read on one instance right after a write on the other sees the write (no stale cached snapshot), for
 *   clerks' reads and the applicant's, down to completed applications and their certificates;
 * - a task claimed through one instance is refused to another clerk on the other (claim and decision), until released;
 * - the six departments of start-a-business approving at the same moment, split over A and B, all succeed;
 * - certificates whose issuing instance was killed holding the effect's lease are issued by the other within 10 s, once;
 * - afterwards the database is consistent (test/support/consistency.ts).
 * On SQLite and on PostgreSQL (each run on a database of its own).
 */
import { expect } from 'chai';
import { databaseKinds } from '../support/databases.js';
import { openDeployment, stallCertificateInserts, type Deployment, type Instance } from '../support/deployment.js';
import {
  acted,
  certifiedMatters,
  codeOf,
  demoClerk,
  describeReply,
  matterDepartment,
  reviewMatters,
  submittedStartup,
  uploadMaterials,
  windowDepartment,
  type Reply,
} from '../support/api.js';
import type { MaterialClaim } from '../support/businessStartup.js';
import { findInconsistencies } from '../support/consistency.js';

const READ_APPLICATIONS = 24;
const CONCURRENT_ROUNDS = 30;
const CLAIM_RACES = 10;
const TAKEOVER_DEADLINE_MS = 10_000;
const CLERK_PASSWORD = 'Qm7-river-Lantern-42';

/** Runs `work` for each item, `lanes` at a time. */
async function inLanes<T>(items: readonly T[], lanes: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index]!, index);
      }
    }),
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Seen {
  status: string;
  version: number;
  /** Open tasks as `task@department by claimant`. */
  tasks: string[];
}

const seenOf = (body: { status: string; version: number; tasks: { task: string; department: string; claimedBy: string | null }[] }): Seen => ({
  status: body.status,
  version: body.version,
  tasks: body.tasks.map((t) => `${t.task}@${t.department} by ${t.claimedBy ?? 'nobody'}`).sort(),
});

for (const kind of databaseKinds) {
  describe(`two serve instances on one database and data directory (${kind})`, function () {
    this.timeout(180_000);
    let deployment: Deployment;
    let a: Instance;
    let b: Instance;
    /** Bearer tokens by username: sessions live in the database, so each works on both instances. */
    const tokens = new Map<string, string>();
    const userIds = new Map<string, string>();
    let materials: MaterialClaim[];
    const token = (username: string) => tokens.get(username)!;
    const clerkOf = (matter: string) => token(demoClerk(matterDepartment(matter)));
    const citizen = () => token('citizen');

    before(async () => {
      deployment = await openDeployment(kind, 'two');
      // A seeds the demo accounts on the empty database; B starts on what A set up.
      a = await deployment.start('A', { demo: true });
      b = await deployment.start('B');
      const admin = await a.api.login('admin');
      const second = await a.api.post('/users', admin.token, { username: 'taxation-2', password: CLERK_PASSWORD, role: 'clerk', departments: ['taxation'], name: '第二税务' });
      expect(second.status, describeReply('add a second taxation clerk', second)).to.equal(201);
      const usernames = ['citizen', demoClerk(windowDepartment), ...reviewMatters.map((m) => demoClerk(matterDepartment(m)))];
      for (const [i, username] of usernames.entries()) {
        const session = await (i % 2 ? b : a).api.login(username);
        tokens.set(username, session.token);
        userIds.set(username, session.userId);
      }
      const session = await b.api.login('taxation-2', CLERK_PASSWORD);
      tokens.set('taxation-2', session.token);
      userIds.set('taxation-2', session.userId);
      // Uploaded on A, into the shared data directory; cited in submissions to both.
      materials = await uploadMaterials(a.api, citizen());
    });
    after(async () => deployment?.close());

    /** Submits on `on` and has the window accept on `acceptOn`; answers the id. */
    async function accepted(on: Instance, acceptOn: Instance): Promise<string> {
      const id = await submittedStartup(on.api, citizen(), materials);
      await acted(acceptOn.api, token(demoClerk(windowDepartment)), id, { type: 'ACCEPT' });
      return id;
    }

    it('a read on one instance right after a write on the other sees it: clerks, the applicant, completed applications (0 stale reads)', async () => {
      const stale: string[] = [];
      let reads = 0;
      /** `reader` has the application cached at its current version; `write` changes it on the other instance. */
      const check = async (id: string, reader: Instance, writer: Instance, what: string, write: () => Promise<Reply>, readAs: string) => {
        const before = await reader.api.get(`/applications/${id}`, readAs);
        expect(before.status, describeReply(`GET before ${what}`, before)).to.equal(200);
        const written = await write();
        expect(written.status, describeReply(`${what} on ${writer.name}`, written)).to.be.within(200, 201);
        const after = await reader.api.get(`/applications/${id}`, readAs);
        reads++;
        expect(after.status, describeReply(`GET after ${what}`, after)).to.equal(200);
        const expected = seenOf(written.body);
        const seen = seenOf(after.body);
        if (JSON.stringify(seen) !== JSON.stringify(expected)) stale.push(`${id}: after ${what} on ${writer.name}, ${reader.name} showed ${JSON.stringify(seen)}, not ${JSON.stringify(expected)}`);
      };
      const completed: { id: string; finishedOn: Instance }[] = [];
      await inLanes(
        Array.from({ length: READ_APPLICATIONS }, (_, i) => i),
        4,
        async (i) => {
          // The writes alternate between the instances; each is read on the other one.
          let [writer, reader] = i % 2 ? [a, b] : [b, a];
          const swap = () => ([writer, reader] = [reader, writer]);
          const id = await submittedStartup(writer.api, citizen(), materials);
          swap();
          await check(id, reader, writer, 'ACCEPT', () => writer.api.event(token(demoClerk(windowDepartment)), id, { type: 'ACCEPT' }), token(demoClerk(windowDepartment)));
          for (const [n, matter] of reviewMatters.entries()) {
            swap();
            // Half the reads are the applicant's, half the deciding clerk's.
            await check(id, reader, writer, `APPROVE ${matter}`, () => writer.api.event(clerkOf(matter), id, { type: 'APPROVE', matter }), n % 2 ? clerkOf(matter) : citizen());
          }
          completed.push({ id, finishedOn: writer });
        },
      );
      expect(stale, `${stale.length} stale reads of ${reads}`).to.deep.equal([]);

      // The applicant, on the instance that did not complete it: the application, their list, their wallet.
      for (const instance of [a, b]) {
        const mine = await instance.api.get('/applications?limit=200', citizen());
        const wallet = await instance.api.get('/certificates', citizen());
        expect(mine.status).to.equal(200);
        expect(wallet.status).to.equal(200);
        for (const { id, finishedOn } of completed) {
          if (finishedOn === instance) continue;
          const detail = await instance.api.get(`/applications/${id}`, citizen());
          if (detail.body.status !== 'completed') stale.push(`${id}: the applicant's GET on ${instance.name} showed ${detail.body.status}`);
          const listed = (mine.body as { id: string; status: string }[]).find((x) => x.id === id);
          if (listed?.status !== 'completed') stale.push(`${id}: the applicant's list on ${instance.name} showed ${listed?.status}`);
          const held = (wallet.body as { applicationId: string; type: string }[]).filter((c) => c.applicationId === id).map((c) => c.type);
          if (held.length !== certifiedMatters.length) stale.push(`${id}: the applicant's wallet on ${instance.name} held ${JSON.stringify(held)}`);
        }
      }
      expect(stale, 'stale reads of completed applications').to.deep.equal([]);
    });

    it('a file uploaded through A is served by B from the shared data directory', async () => {
      const id = await accepted(a, a);
      const fileMaterial = materials.find((m) => m.fileId)!;
      const res = await fetch(`${b.api.base}/api/v1/applications/${id}/materials/${fileMaterial.materialId}`, { headers: { authorization: `Bearer ${token(demoClerk(windowDepartment))}` } });
      expect(res.status).to.equal(200);
      expect(Buffer.from(await res.arrayBuffer()).toString('latin1')).to.match(/^%PDF-/);
    });

    it('a claim on B blocks the same matter on A (claim and decision 409 TASK.CLAIMED) until B releases it', async () => {
      const id = await accepted(a, b);
      const [first, second] = [token('clerk-taxation'), token('taxation-2')];
      const holder = (body: { tasks: { matter: string | null; claimedBy: string | null }[] }) => body.tasks.find((t) => t.matter === 'tax')?.claimedBy;

      const claimed = await b.api.post(`/applications/${id}/claim`, first, { matter: 'tax' });
      expect(claimed.status, describeReply('claim on B', claimed)).to.equal(200);
      expect(holder(claimed.body)).to.equal(userIds.get('clerk-taxation'));
      const seen = await a.api.get(`/applications/${id}`, second);
      expect(holder(seen.body), 'A shows B’s claim').to.equal(userIds.get('clerk-taxation'));

      const claimOnA = await a.api.post(`/applications/${id}/claim`, second, { matter: 'tax' });
      expect([claimOnA.status, codeOf(claimOnA)], describeReply('claim on A', claimOnA)).to.deep.equal([409, 'TASK.CLAIMED']);
      const approveOnA = await a.api.event(second, id, { type: 'APPROVE', matter: 'tax' });
      expect([approveOnA.status, codeOf(approveOnA)], describeReply('APPROVE on A', approveOnA)).to.deep.equal([409, 'TASK.CLAIMED']);
      const unchanged = await a.api.get(`/applications/${id}`, second);
      expect([unchanged.body.version, unchanged.body.matters.tax]).to.deep.equal([claimed.body.version, 'pending']);

      const released = await b.api.post(`/applications/${id}/release`, first, { matter: 'tax' });
      expect(released.status, describeReply('release on B', released)).to.equal(200);
      const reclaimed = await a.api.post(`/applications/${id}/claim`, second, { matter: 'tax' });
      expect(reclaimed.status, describeReply('claim on A after the release', reclaimed)).to.equal(200);
      expect(holder(reclaimed.body)).to.equal(userIds.get('taxation-2'));
      // Now the other way round.
      const approveOnB = await b.api.event(first, id, { type: 'APPROVE', matter: 'tax' });
      expect([approveOnB.status, codeOf(approveOnB)], describeReply('APPROVE on B', approveOnB)).to.deep.equal([409, 'TASK.CLAIMED']);
      // The holder decides through either instance.
      const approved = await acted(b.api, second, id, { type: 'APPROVE', matter: 'tax' });
      expect(approved.matters.tax).to.equal('approved');
    });

    it(`two clerks claiming the same task at once, on A and on B, never both get it (${CLAIM_RACES} times)`, async () => {
      const outcomes: string[] = [];
      for (let round = 0; round < CLAIM_RACES; round++) {
        const id = await accepted(b, a);
        const replies = await Promise.all([a.api.post(`/applications/${id}/claim`, token('clerk-taxation'), { matter: 'tax' }), b.api.post(`/applications/${id}/claim`, token('taxation-2'), { matter: 'tax' })]);
        const outcome = replies.map((r) => `${r.status}${codeOf(r) ? ` ${codeOf(r)}` : ''}`).sort();
        const detail = await a.api.get(`/applications/${id}`, citizen());
        const holders = (detail.body.tasks as { matter: string | null; claimedBy: string | null }[]).filter((t) => t.matter === 'tax').map((t) => t.claimedBy);
        const winner = replies[0]!.status === 200 ? 'clerk-taxation' : 'taxation-2';
        if (JSON.stringify(outcome) !== JSON.stringify(['200', '409 TASK.CLAIMED']) || holders.length !== 1 || holders[0] !== userIds.get(winner)) {
          outcomes.push(`round ${round}: ${JSON.stringify(outcome)}, held by ${JSON.stringify(holders)}`);
        }
      }
      expect(outcomes).to.deep.equal([]);
    });

    it(`six concurrent approvals, one per matter, split over A and B, all succeed (${CONCURRENT_ROUNDS} rounds, no APPLICATION.CONFLICT)`, async () => {
      expect(reviewMatters, 'start-a-business has six matters in parallel review').to.have.length(6);
      const ids: string[] = [];
      await inLanes(
        Array.from({ length: CONCURRENT_ROUNDS }, (_, i) => i),
        4,
        async (i) => void ids.push(await accepted(i % 2 ? a : b, i % 2 ? b : a)),
      );
      const refused: string[] = [];
      for (const [round, id] of ids.entries()) {
        const replies = await Promise.all(
          reviewMatters.map((matter, i) => {
            const on = (i + round) % 2 ? a : b;
            return on.api.event(clerkOf(matter), id, { type: 'APPROVE', matter }).then((reply) => ({ reply, matter, on }));
          }),
        );
        for (const { reply, matter, on } of replies) if (reply.status !== 200) refused.push(`round ${round + 1}: ${describeReply(`APPROVE ${matter} on ${on.name}`, reply)}`);
      }
      expect(refused, `${refused.length} of ${ids.length * reviewMatters.length} approvals refused`).to.deep.equal([]);
      // Every round ended completed: submit, accept, six approvals, the certificates issued.
      const ends: string[] = [];
      for (const id of ids) {
        for (const instance of [a, b]) {
          const detail = await instance.api.get(`/applications/${id}`, citizen());
          const approvals = (detail.body.timeline as { type: string }[]).filter((e) => e.type === 'APPROVE').length;
          if (detail.body.status !== 'completed' || detail.body.version !== 3 + reviewMatters.length || approvals !== reviewMatters.length) {
            ends.push(`${id} on ${instance.name}: ${detail.body.status} at version ${detail.body.version} with ${approvals} approvals`);
          }
        }
      }
      expect(ends).to.deep.equal([]);
    });

    it(`certificates A was issuing when it was killed (holding the effect) are issued by B within ${TAKEOVER_DEADLINE_MS / 1000} s, exactly once`, async () => {
      const id = await accepted(b, b);
      const [last, ...others] = [...reviewMatters].reverse();
      for (const matter of others) await acted(b.api, clerkOf(matter), id, { type: 'APPROVE', matter });

      // A commits the last approval (with its issuing effect leased to A), then is stuck inserting the certificates.
      const stall = await stallCertificateInserts(deployment);
      let released = false;
      try {
        let answer: string | undefined;
        const finalApproval = a.api.event(clerkOf(last!), id, { type: 'APPROVE', matter: last }).then(
          (reply) => (answer = describeReply('the final APPROVE on A', reply)),
          () => (answer = 'no answer'),
        );
        const effectOfA = async () => {
          const rows = (await deployment.db()('outbox').where({ application_id: id, status: 'pending' }).select('id', 'effect', 'lease_owner')) as { id: string; effect: string; lease_owner: string | null }[];
          return rows.find((r) => JSON.parse(r.effect).effect === 'issueCertificates' && r.lease_owner?.startsWith(a.leaseOwnerPrefix));
        };
        for (let i = 0; !(await effectOfA()); i++) {
          expect(answer, 'A answered before its issuing effect was seen').to.equal(undefined);
          expect(i, 'A committed the final approval with its issuing effect leased to itself').to.be.lessThan(600);
          await sleep(50);
        }
        await a.kill();
        const killedAt = Date.now();
        const effect = await effectOfA();
        expect(effect, 'the issuing effect is still pending and A’s when A dies').to.not.equal(undefined);
        await finalApproval;
        expect(answer, 'A never answered the final approval').to.equal('no answer');
        await stall.release();
        released = true;

        let status = '';
        while (Date.now() - killedAt <= TAKEOVER_DEADLINE_MS && status !== 'completed') {
          const detail = await b.api.get(`/applications/${id}`, citizen());
          status = detail.body.status;
          if (status !== 'completed') await sleep(100);
        }
        const elapsed = Date.now() - killedAt;
        expect(status, `B's view ${elapsed} ms after A was killed`).to.equal('completed');
        expect(elapsed, 'completed by B within the deadline').to.be.at.most(TAKEOVER_DEADLINE_MS);

        const done = await deployment.db()('outbox').where({ id: effect!.id }).first();
        expect(done.status).to.equal('done');
        const issued = (await deployment.db()('certificates').where({ application_id: id }).select('matter_id', 'type', 'status')) as { matter_id: string; type: string; status: string }[];
        expect(issued.map((c) => c.matter_id).sort(), 'one certificate per certified matter').to.deep.equal([...certifiedMatters].sort());
        expect(issued.every((c) => c.status === 'valid')).to.equal(true);
        const wallet = await b.api.get('/certificates', citizen());
        const held = (wallet.body as { applicationId: string; type: string }[]).filter((c) => c.applicationId === id).map((c) => c.type);
        expect(held.sort(), 'the wallet holds one set').to.deep.equal(issued.map((c) => c.type).sort());
      } finally {
        // A stuck A holds SQLite's write lock: it is killed (again, harmlessly) before the stall is lifted.
        if (!released) await a.kill().then(() => stall.release()).catch(() => undefined);
      }
    });

    it('leaves a consistent database: whole event logs that replay to their snapshots, open tasks, certificates once, outbox drained', async () => {
      for (const instance of deployment.running()) expect(await instance.stop(), `${instance.name} shuts down cleanly`).to.equal(0);
      expect(await findInconsistencies(deployment.db())).to.deep.equal([]);
    });
  });
}
