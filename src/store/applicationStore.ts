/** The runtime's ApplicationStore on knex. Every transition is one transaction; a stale version writes nothing. */
import type { ApplicationRow, ApplicationStore, EventRow, OutboxEntry, OutboxRow, Transition } from '../runtime/ports.js';
import type { Database } from './database.js';
import { nextCounterValue } from './dialect.js';

type Row = Record<string, unknown>;

export function createApplicationStore(db: Database): ApplicationStore {
  return {
    async insertApplication(row, event, effects) {
      return db.transaction(async (tx) => {
        const day = row.createdAt.slice(0, 10).replace(/-/g, '');
        const sequence = await nextCounterValue(tx, `application:${day}`);
        const number = `${day}${String(sequence).padStart(6, '0')}`;
        await tx('applications').insert({
          id: row.id,
          number,
          service_id: row.serviceId,
          service_version: row.serviceVersion,
          service_hash: row.serviceHash,
          applicant_id: row.applicantId,
          state: row.state,
          status: row.status,
          snapshot: JSON.stringify(row.snapshot),
          version: row.version,
          created_at: row.createdAt,
          updated_at: row.updatedAt,
        });
        await tx('application_events').insert(eventColumns(event));
        if (effects.length > 0) await tx('outbox').insert(effects.map((e) => outboxColumns(e, row.createdAt)));
        return number;
      });
    },

    async commitTransition(t: Transition) {
      return db.transaction(async (tx) => {
        const updated = await tx('applications')
          .where({ id: t.id, version: t.fromVersion })
          .update({
            snapshot: JSON.stringify(t.snapshot),
            state: t.state,
            status: t.status,
            version: t.fromVersion + 1,
            updated_at: t.updatedAt,
          });
        if (updated !== 1) return false;
        // Event and effects in one statement each; the (application, seq) key backs up the version check.
        await tx('application_events').insert(eventColumns(t.event));
        if (t.effects.length > 0) await tx('outbox').insert(t.effects.map((e) => outboxColumns(e, t.updatedAt)));
        if (t.completes) await tx('outbox').where({ id: t.completes }).update({ status: 'done', done_at: t.updatedAt });
        return true;
      });
    },

    async getApplication(id) {
      const row = await db('applications').where({ id }).first();
      return row ? applicationFromRow(row) : undefined;
    },

    async listEvents(id) {
      const rows = await db('application_events').where({ application_id: id }).orderBy('seq');
      return rows.map(eventFromRow);
    },

    async pendingEffects(limit) {
      const rows = await db('outbox').where({ status: 'pending' }).orderBy('created_at').limit(limit);
      return rows.map(outboxFromRow);
    },

    async getEffect(id) {
      const row = await db('outbox').where({ id }).first();
      return row ? outboxFromRow(row) : undefined;
    },

    async completeEffect(id, at) {
      await db('outbox').where({ id }).update({ status: 'done', done_at: at });
    },

    async failEffect(id, error) {
      await db('outbox')
        .where({ id })
        .update({ attempts: db.raw('attempts + 1'), last_error: error.slice(0, 2000) });
    },
  };
}

function eventColumns(event: EventRow): Row {
  return {
    application_id: event.applicationId,
    seq: event.seq,
    type: event.type,
    actor_kind: event.actor.kind,
    actor_id: event.actor.id,
    payload: JSON.stringify(event.payload),
    at: event.at,
  };
}

function outboxColumns(entry: OutboxEntry, at: string): Row {
  return { id: entry.id, application_id: entry.applicationId, seq: entry.seq, effect: JSON.stringify(entry.effect), status: 'pending', created_at: at };
}

function applicationFromRow(row: Row): ApplicationRow {
  return {
    id: String(row.id),
    number: String(row.number),
    serviceId: String(row.service_id),
    serviceVersion: Number(row.service_version),
    serviceHash: String(row.service_hash),
    applicantId: String(row.applicant_id),
    state: String(row.state),
    status: row.status as ApplicationRow['status'],
    snapshot: JSON.parse(String(row.snapshot)),
    version: Number(row.version),
    createdAt: String(row.created_at),
    updatedAt: String(row.updated_at),
  };
}

function eventFromRow(row: Row): EventRow {
  const payload = JSON.parse(String(row.payload)) as Record<string, unknown>;
  return {
    applicationId: String(row.application_id),
    seq: Number(row.seq),
    type: String(row.type),
    actor: (payload.actor as EventRow['actor']) ?? { kind: row.actor_kind as EventRow['actor']['kind'], id: String(row.actor_id) },
    payload,
    at: String(row.at),
  };
}

function outboxFromRow(row: Row): OutboxRow {
  return {
    id: String(row.id),
    applicationId: String(row.application_id),
    seq: Number(row.seq),
    effect: JSON.parse(String(row.effect)),
    status: row.status as OutboxRow['status'],
    attempts: Number(row.attempts),
  };
}
