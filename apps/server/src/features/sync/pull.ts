/**
 * Pull: reference-data changes since a cursor, oldest first, in pages. The cursor is a version;
 * versions are stamped in commit order (db/versioning.ts), so a page never skips a row that commits
 * later. The first pull (cursor 0) loads everything. A page is cut at the `limit`-th smallest version
 * across all tables: first the versions alone are read (index only), then the rows up to the cut.
 */
import { sql, type Kysely } from 'kysely';
import { AppError, PROTOCOL_VERSION, type PullResponse } from '@paydesk/protocol';
import type { DB } from '../../db/schema.ts';
import { incarnation } from '../../db/incarnation.ts';

export interface PullScope {
  deskId: string;
  pointId: string;
}

type Changes = PullResponse['changes'];

const NIL = '00000000-0000-0000-0000-000000000000';

function milliToText(milli: number | null): string | null {
  if (milli === null) return null;
  const whole = Math.floor(milli / 1000);
  const frac = milli % 1000;
  return frac === 0 ? String(whole) : `${whole}.${String(frac).padStart(3, '0').replace(/0+$/, '')}`;
}

/** Each replicated table: how to find its versions after the cursor, and how to read its rows. */
const TABLES = {
  suppliers: {
    versions: (db: Kysely<DB>, c: number, n: number) =>
      db.selectFrom('suppliers').select('version').where('version', '>', c).orderBy('version').limit(n),
    rows: async (db: Kysely<DB>, c: number, upTo: number): Promise<Changes['suppliers']> =>
      (await db.selectFrom('suppliers').selectAll().where('version', '>', c).where('version', '<=', upTo).orderBy('version').execute()).map(
        (r) => ({
          id: r.id,
          name: r.name,
          inn: r.inn,
          kpp: r.kpp,
          phone: r.phone,
          commission: r.commission as never,
          agentType: r.agent_type,
          active: r.active,
          version: String(r.version),
        }),
      ),
  },
  services: {
    versions: (db: Kysely<DB>, c: number, n: number) =>
      db.selectFrom('services').select('version').where('version', '>', c).orderBy('version').limit(n),
    rows: async (db: Kysely<DB>, c: number, upTo: number): Promise<Changes['services']> =>
      (await db.selectFrom('services').selectAll().where('version', '>', c).where('version', '<=', upTo).orderBy('version').execute()).map(
        (r) => ({
          code: r.code,
          name: r.name,
          supplierId: r.supplier_id,
          unit: r.unit,
          active: r.active,
          version: String(r.version),
        }),
      ),
  },
  accounts: {
    versions: (db: Kysely<DB>, c: number, n: number) =>
      db.selectFrom('accounts').select('version').where('version', '>', c).orderBy('version').limit(n),
    rows: async (db: Kysely<DB>, c: number, upTo: number): Promise<Changes['accounts']> =>
      (await db.selectFrom('accounts').selectAll().where('version', '>', c).where('version', '<=', upTo).orderBy('version').execute()).map(
        (r) => ({
          number: r.number,
          els: r.els,
          city: r.city,
          street: r.street,
          house: r.house,
          building: r.building,
          flat: r.flat,
          ownerName: r.owner_name,
          status: r.status,
          version: String(r.version),
        }),
      ),
  },
  charges: {
    versions: (db: Kysely<DB>, c: number, n: number) =>
      db.selectFrom('charges').select('version').where('version', '>', c).orderBy('version').limit(n),
    rows: async (db: Kysely<DB>, c: number, upTo: number): Promise<Changes['charges']> =>
      (await db.selectFrom('charges').selectAll().where('version', '>', c).where('version', '<=', upTo).orderBy('version').execute()).map(
        (r) => ({
          accountNumber: r.account_number,
          serviceCode: r.service_code,
          period: r.period,
          dueKop: r.due_kop,
          penaltyKop: r.penalty_kop,
          paidKop: r.paid_kop,
          paidPenaltyKop: r.paid_penalty_kop,
          chargeKop: r.charge_kop,
          supplierId: r.supplier_id,
          version: String(r.version),
        }),
      ),
  },
  meters: {
    versions: (db: Kysely<DB>, c: number, n: number) =>
      db.selectFrom('meters').select('version').where('version', '>', c).orderBy('version').limit(n),
    rows: async (db: Kysely<DB>, c: number, upTo: number): Promise<Changes['meters']> =>
      (await db.selectFrom('meters').selectAll().where('version', '>', c).where('version', '<=', upTo).orderBy('version').execute()).map(
        (r) => ({
          id: r.id,
          accountNumber: r.account_number,
          serviceCode: r.service_code,
          serial: r.serial,
          digits: r.digits,
          fractionDigits: r.fraction_digits,
          verificationDue: r.verification_due,
          jumpThreshold: r.jump_threshold,
          lastValue: milliToText(r.last_value_milli),
          lastDate: r.last_date,
          active: r.active,
          version: String(r.version),
        }),
      ),
  },
  providers: {
    versions: (db: Kysely<DB>, c: number, n: number) =>
      db.selectFrom('providers').select('version').where('version', '>', c).orderBy('version').limit(n),
    rows: async (db: Kysely<DB>, c: number, upTo: number): Promise<Changes['providers']> =>
      (await db.selectFrom('providers').selectAll().where('version', '>', c).where('version', '<=', upTo).orderBy('version').execute()).map(
        (r) => ({
          code: r.code,
          name: r.name,
          category: r.category,
          inn: r.inn,
          kpp: r.kpp,
          phone: r.phone,
          accountLabel: r.account_label,
          accountMask: r.account_mask,
          accountExample: r.account_example,
          normalize: r.normalize,
          minKop: r.min_kop,
          maxKop: r.max_kop,
          commission: r.commission as never,
          agentType: r.agent_type,
          checkRequired: r.check_required,
          offlineAllowed: r.offline_allowed,
          canCancel: r.can_cancel,
          active: r.active,
          version: String(r.version),
        }),
      ),
  },
  priceItems: {
    versions: (db: Kysely<DB>, c: number, n: number) =>
      db.selectFrom('price_items').select('version').where('version', '>', c).orderBy('version').limit(n),
    rows: async (db: Kysely<DB>, c: number, upTo: number): Promise<Changes['priceItems']> =>
      (
        await db.selectFrom('price_items').selectAll().where('version', '>', c).where('version', '<=', upTo).orderBy('version').execute()
      ).map((r) => ({
        code: r.code,
        name: r.name,
        priceKop: r.price_kop,
        unit: r.unit,
        vat: r.vat as never,
        active: r.active,
        version: String(r.version),
      })),
  },
} as const;

/** Rows visible to one desk only: its point's cashiers and settings, its own forwardings. */
function scopedTables(scope: PullScope) {
  const left = (u: { point_id: string | null }): boolean => u.point_id !== null && u.point_id !== scope.pointId;
  return {
    users: {
      versions: (db: Kysely<DB>, c: number, n: number) =>
        db
          .selectFrom('users')
          .select('version')
          .where('version', '>', c)
          .where((eb) =>
            eb.or([
              eb('point_id', 'is', null),
              eb('point_id', '=', scope.pointId),
              eb('id', 'in', eb.selectFrom('user_points').select('user_id').where('point_id', '=', scope.pointId)),
            ]),
          )
          .orderBy('version')
          .limit(n),
      rows: async (db: Kysely<DB>, c: number, upTo: number): Promise<Changes['users']> =>
        (
          await db
            .selectFrom('users')
            .selectAll()
            .where('version', '>', c)
            .where('version', '<=', upTo)
            .where((eb) =>
              eb.or([
                eb('point_id', 'is', null),
                eb('point_id', '=', scope.pointId),
                eb('id', 'in', eb.selectFrom('user_points').select('user_id').where('point_id', '=', scope.pointId)),
              ]),
            )
            .orderBy('version')
            .execute()
        ).map((r) => ({
          id: r.id,
          login: r.login,
          name: r.name,
          role: r.role === 'integrator' ? 'cashier' : r.role,
          inn: r.inn,
          // A user who left this point is a tombstone here: inactive, no hash to check a password against.
          // An administrator without a point signs in at desks through the server: no desk holds their hash.
          passwordHash: left(r) || r.role === 'integrator' || (r.role === 'admin' && r.point_id === null) ? '' : r.password_hash,
          // An integrator never signs in at a desk: one made so from a cashier reaches it as a tombstone.
          // The server's lock for wrong passwords is the server's: desks count their own (session.ts), and a lock
          // that passes bumps no version, so reflecting it here would leave the user out after it passed.
          active: !left(r) && r.role !== 'integrator' && r.active,
          version: String(r.version),
        })),
    },
    settings: {
      versions: (db: Kysely<DB>, c: number, n: number) =>
        db
          .selectFrom('settings')
          .select('version')
          .where('version', '>', c)
          .where('scope_id', 'in', [NIL, scope.pointId, scope.deskId])
          .orderBy('version')
          .limit(n),
      rows: async (db: Kysely<DB>, c: number, upTo: number): Promise<Changes['settings']> => {
        // A desk sees one value per key: its own over its point's over the global one.
        const rows = await db
          .selectFrom('settings')
          .selectAll()
          .where('version', '>', c)
          .where('version', '<=', upTo)
          .where('scope_id', 'in', [NIL, scope.pointId, scope.deskId])
          .orderBy('version')
          .execute();
        return rows.map((r) => ({ key: `${r.scope}:${r.key}`, value: r.value, version: String(r.version) }));
      },
    },
    forwarding: {
      versions: (db: Kysely<DB>, c: number, n: number) =>
        db
          .selectFrom('forwardings')
          .select('version')
          .where('desk_id', '=', scope.deskId)
          .where('version', '>', c)
          .orderBy('version')
          .limit(n),
      rows: async (db: Kysely<DB>, c: number, upTo: number): Promise<Changes['forwarding']> =>
        (
          await db
            .selectFrom('forwardings')
            .selectAll()
            .where('desk_id', '=', scope.deskId)
            .where('version', '>', c)
            .where('version', '<=', upTo)
            .orderBy('version')
            .execute()
        ).map((r) => ({
          opId: r.op_id,
          state: r.state,
          prvTxn: r.prv_txn,
          code: r.result_code,
          comment: r.comment,
          updatedAt: r.updated_at.toISOString(),
          version: String(r.version),
        })),
    },
  };
}

/** Every table whose rows desks pull, each stamped with a version. */
const REPLICATED = [
  'suppliers',
  'services',
  'accounts',
  'charges',
  'meters',
  'providers',
  'price_items',
  'users',
  'settings',
  'forwardings',
] as const;

export async function processPull(db: Kysely<DB>, scope: PullScope, cursor: number, limit: number): Promise<PullResponse> {
  const tables = { ...TABLES, ...scopedTables(scope) };
  const life = await incarnation(db);
  // One snapshot for the whole page, so the cut and the rows agree.
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const current = Number((await sql<{ v: number }>`SELECT last_value AS v FROM ref_version`.execute(trx)).rows[0]?.v ?? 0);
      if (cursor > 0) {
        // A desk's cursor is the version of a row it was sent, and rows are only ever restamped upwards,
        // never deleted: a cursor above every version this database holds was given out by a later life
        // of it, lost in a restore. (The sequence alone cannot tell: recovery moves it ahead by up to 32.)
        const newest = Number(
          (
            await sql<{
              v: number | null;
            }>`SELECT GREATEST(${sql.join(REPLICATED.map((t) => sql`(SELECT max(version) FROM ${sql.table(t)})`))}) AS v`.execute(trx)
          ).rows[0]?.v ?? 0,
        );
        if (cursor > newest) {
          throw new AppError(
            'sync.cursor_ahead',
            `Позиция ${cursor} впереди сервера (${newest}): сервер восстановлен из копии — касса загрузит справочники заново`,
            { version: String(newest), incarnation: life },
          );
        }
      }
      const deskRow = await trx.selectFrom('desks').select(['epoch', 'last_seq']).where('id', '=', scope.deskId).executeTakeFirst();
      const versionLists = await Promise.all(
        Object.values(tables).map(async (t) => (await t.versions(trx, cursor, limit + 1).execute()).map((r) => r.version)),
      );
      const all = versionLists.flat().sort((a, b) => a - b);
      const hasMore = all.length > limit;
      const upTo = hasMore ? (all[limit - 1] as number) : (all.at(-1) ?? cursor);
      const changes: Changes = {};
      if (all.length > 0) {
        const entries = await Promise.all(
          Object.entries(tables).map(async ([kind, t]) => [kind, await t.rows(trx, cursor, upTo)] as const),
        );
        for (const [kind, rows] of entries) if (rows && rows.length > 0) (changes as Record<string, unknown>)[kind] = rows;
      }
      const remaining = Math.max(0, current - upTo);
      return {
        protocolVersion: PROTOCOL_VERSION,
        cursor: String(upTo),
        hasMore,
        remaining: hasMore ? remaining : 0,
        changes,
        incarnation: life,
        ...(deskRow ? { desk: { epoch: deskRow.epoch, lastSeq: deskRow.last_seq } } : {}),
      };
    });
}

/**
 * What the desk says it holds acknowledged. Everything of it on this server: the desk has shown this
 * life of the database all it has, and its third-party payments may be forwarded. More than the server
 * holds: the server was put back from a backup — its payments wait until the desk has sent the rest
 * (a refund it made since the backup among them).
 */
export async function noteDeskSync(
  db: Kysely<DB>,
  deskId: string,
  epoch: number | null,
  acked: number | null,
  /** The sync protocol version the desk spoke, for the back office during an upgrade. */
  protocol?: number,
): Promise<void> {
  const life = await incarnation(db);
  const spoken = protocol === undefined ? {} : { protocol_version: protocol };
  if (epoch === null || acked === null) {
    await db
      .updateTable('desks')
      .set({ synced_incarnation: life, ...spoken })
      .where('id', '=', deskId)
      .execute();
    return;
  }
  await db
    .updateTable('desks')
    .set((eb) => ({
      ...spoken,
      reported_acked_seq: acked,
      synced_incarnation: eb
        .case()
        .when(eb.and([eb('epoch', '=', epoch), eb('last_seq', '>=', acked)]))
        .then(life)
        .else(null)
        .end(),
    }))
    .where('id', '=', deskId)
    .execute();
}
