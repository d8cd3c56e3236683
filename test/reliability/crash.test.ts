/**
 * `onevisit serve` killed with SIGKILL at random moments while several clients submit applications and clerks
 * decide them, and restarted each time on the same database and data directory. Afterwards, with a final
 * instance given time to work off the outbox and then stopped:
 * - every acknowledged upload is served back byte for byte, every acknowledged application and event exists;
 * - every application's event log is whole and replays to its stored snapshot, its open tasks match it;
 * - no certificate was issued twice, each completed application has its one set, no effect is left pending.
 * ONEVISIT_CRASH_ROUNDS sets the number of kills (default 10, CI-sized; e.g. 80 for a long run) and
 * ONEVISIT_CRASH_SEED repeats a run's random choices (each failure names its seed); ONEVISIT_CRASH_VERBOSE=1 prints
 * what a run did.
 */
import { expect } from 'chai';
import { databaseKinds } from '../support/databases.js';
import { openDeployment, type Deployment } from '../support/deployment.js';
import { Api, demoClerk, reviewMatters, windowDepartment, matterDepartment } from '../support/api.js';
import { emptyLedger, findInconsistencies, unfinishedEffects } from '../support/consistency.js';
import { seededRandom, startLoad } from '../support/crashLoad.js';

const ROUNDS = Number(process.env.ONEVISIT_CRASH_ROUNDS ?? 10);
/** Longest an effect can stay leased to a dead instance: a worker's lease (30 s), with room to spare. */
const DRAIN_LIMIT_MS = 45_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const kind of databaseKinds) {
  describe(`serve killed with SIGKILL under load, restarted each time (${kind})`, function () {
    this.timeout(120_000 + ROUNDS * 12_000);
    let deployment: Deployment | undefined;
    after(async () => deployment?.close());

    it(`loses nothing acknowledged and stays consistent through ${ROUNDS} kills`, async () => {
      const seed = Number(process.env.ONEVISIT_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
      const random = seededRandom(seed);
      const context = `(seed ${seed}: ONEVISIT_CRASH_SEED=${seed} repeats its random choices)`;
      deployment = await openDeployment(kind, 'crash');
      let server = await deployment.start('server', { demo: true });
      const api = new Api(server.port, 15_000);
      const tokens = new Map<string, string>();
      for (const username of ['citizen', demoClerk(windowDepartment), ...reviewMatters.map((m) => demoClerk(matterDepartment(m)))]) {
        tokens.set(username, (await api.login(username)).token);
      }

      const ledger = emptyLedger();
      const load = startLoad({ api, tokens, ledger, random });
      let kills = 0;
      try {
        for (; kills < ROUNDS; kills++) {
          // Work for a while (at least one request in flight at most moments), then a crash: no shutdown code runs.
          // Every other kill comes just after a final approval was sent: in its commit, or while it issues certificates.
          await sleep(200 + random() * 1300);
          if (kills % 2 === 1) {
            await Promise.race([load.finalApprovalSent(), sleep(3000)]);
            await sleep(random() * 30);
          }
          await server.kill();
          await sleep(random() * 200);
          server = await deployment.start('server', { port: server.port });
        }
      } finally {
        await load.stop();
      }

      // The final instance works off what the dead ones left (their leases run out first).
      const db = deployment.db();
      const drainFrom = Date.now();
      while ((await unfinishedEffects(db)) > 0 && Date.now() - drainFrom < DRAIN_LIMIT_MS) await sleep(250);
      const drainedMs = Date.now() - drainFrom;
      const lost: string[] = [];
      for (const file of load.files) {
        const res = await fetch(`${api.base}/api/v1/files/${file.fileId}/content`, { headers: { authorization: `Bearer ${tokens.get('citizen')}` }, signal: AbortSignal.timeout(15_000) });
        const bytes = Buffer.from(await res.arrayBuffer());
        if (res.status !== 200 || !bytes.equals(file.bytes)) lost.push(`acknowledged upload ${file.fileId}: ${res.status}, ${bytes.length} bytes`);
      }
      expect(await server.stop(), 'the final instance shuts down cleanly').to.equal(0);

      const stats = JSON.stringify({ kills, ...load.stats, files: load.files.length, drainedMs });
      if (process.env.ONEVISIT_CRASH_VERBOSE) console.log(`      ${kind} ${context}: ${stats}`);
      const problems = await findInconsistencies(db, ledger);
      // Everything wrong at once: a lost write explains later refusals, not the other way round.
      expect(
        { problems: problems.slice(0, 30), unexpectedAnswers: load.unexpected.slice(0, 10), lostUploads: lost.slice(0, 10) },
        `${problems.length} problems, ${load.unexpected.length} answers no client expected, ${lost.length} lost uploads ${context} ${stats}`,
      ).to.deep.equal({ problems: [], unexpectedAnswers: [], lostUploads: [] });
      // The run did what it is for: work acknowledged between kills, and requests cut off by them.
      expect(ledger.applications.size, stats).to.be.greaterThan(0);
      expect(load.stats.events, stats).to.be.greaterThan(0);
      expect(load.stats.unanswered, stats).to.be.greaterThan(0);
    });
  });
}
