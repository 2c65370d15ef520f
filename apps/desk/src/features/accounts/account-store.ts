/**
 * The accounts as the cashier sees them: found by number, ЕЛС, address as typed, or name; with their
 * debts per service and period (the replica's figures less this desk's own payments the server has
 * not reflected yet), penalties, meters and their last readings, and this desk's recent payments.
 */
import type {
  AccountDetailsView as AccountDetails,
  AccountHitView as AccountHit,
  DebtLineView as DebtLine,
  MeterView,
} from '@paydesk/protocol';
import type { Statement } from '@paydesk/sqlite';
import type { JournalDb } from '../../db/journal-db.ts';
import { getMeta, setMeta } from '../../db/journal-db.ts';
import { houseRange, houseWithBuilding, planSearch } from './search-keys.ts';

/** The version of the house keys' rules: a replica keyed by older rules is keyed again once, at start. */
const HOUSE_KEYS_VERSION = '2';

export function refreshHouseKeys(db: JournalDb): number {
  if (getMeta(db, 'house_keys') === HOUSE_KEYS_VERSION) return 0;
  let changed = 0;
  db.transaction(() => {
    const update = db.prepare('UPDATE accounts SET house_key = ? WHERE number = ?');
    // Read first: SQLite cannot write through a connection while one of its statements iterates.
    for (const r of db.prepare('SELECT number, house, building, house_key FROM accounts').all() as {
      number: string;
      house: string | null;
      building: string | null;
      house_key: string | null;
    }[]) {
      const key = houseWithBuilding(r.house, r.building);
      if (key !== r.house_key) {
        update.run(key, r.number);
        changed++;
      }
    }
    setMeta(db, 'house_keys', HOUSE_KEYS_VERSION);
  })();
  return changed;
}

export type {
  AccountHitView as AccountHit,
  AccountDetailsView as AccountDetails,
  DebtLineView as DebtLine,
  MeterView,
} from '@paydesk/protocol';

interface AccountRow {
  number: string;
  els: string | null;
  city: string | null;
  street: string | null;
  house: string | null;
  building: string | null;
  flat: string | null;
  owner_name: string | null;
  status: 'active' | 'closed';
}

export function formatAddress(a: {
  city: string | null;
  street: string | null;
  house: string | null;
  building: string | null;
  flat: string | null;
}): string {
  return [
    a.city && `г. ${a.city}`,
    a.street && `ул. ${a.street}`,
    a.house && `д. ${a.house}`,
    a.building && `корп. ${a.building}`,
    a.flat && `кв. ${a.flat}`,
  ]
    .filter(Boolean)
    .join(', ');
}

const TOP = '\uffff';

/** A search counts its matches up to this many; more reads as «more than 1 000». */
export const SEARCH_COUNT_CAP = 1_000;

export interface AccountSearchResult {
  /** The first matches, best first. */
  items: AccountHit[];
  /** How many accounts match in all, counted up to SEARCH_COUNT_CAP. */
  total: number;
  /** More than SEARCH_COUNT_CAP match: `total` is the cap. */
  totalCapped: boolean;
}

interface SearchStatements {
  byNumber: Statement;
  byNumberPrefix: Statement;
  byEls: Statement;
  byAddress: Statement;
  byAddressHouse: Statement;
  byAddressFlat: Statement;
  byOwner: Statement;
}

/** The search's queries selecting `cols`: the rows to show, or only the numbers to count. */
function searchStatements(db: JournalDb, cols: string): SearchStatements {
  // CROSS JOIN keeps the few matching streets as the outer loop: each is then one index seek.
  const onStreets = `FROM streets s CROSS JOIN accounts a ON a.street_key = s.street_key`;
  const acols = cols
    .split(', ')
    .map((c) => `a.${c}`)
    .join(', ');
  // A house typed without a building matches its buildings too: three ranges on the same index.
  const house = `(a.house_key = @house OR (a.house_key >= @from AND a.house_key < @to) OR (a.house_key >= @slashFrom AND a.house_key < @slashTo))`;
  // A house's flats as people count them (1, 2 … 10, not 1, 10, 11): a house holds few, sorting them is cheap.
  const flats = 'length(a.flat_key), a.flat_key';
  return {
    byNumber: db.prepare(`SELECT ${cols} FROM accounts WHERE number = ?`),
    byNumberPrefix: db.prepare(`SELECT ${cols} FROM accounts WHERE number >= ? AND number < ? ORDER BY number LIMIT ?`),
    byEls: db.prepare(`SELECT ${cols} FROM accounts WHERE els = ? LIMIT ?`),
    byAddress: db.prepare(
      `SELECT ${cols} FROM accounts WHERE street_key >= ? AND street_key < ? ORDER BY street_key, house_key, flat_key LIMIT ?`,
    ),
    byAddressHouse: db.prepare(
      `SELECT ${acols} ${onStreets} AND ${house} WHERE s.street_key >= @lo AND s.street_key < @hi ORDER BY s.street_key, a.house_key <> @house, a.house_key, ${flats} LIMIT @limit`,
    ),
    byAddressFlat: db.prepare(
      `SELECT ${acols} ${onStreets} AND ${house} AND a.flat_key = @flat WHERE s.street_key >= @lo AND s.street_key < @hi ORDER BY s.street_key, a.house_key <> @house LIMIT @limit`,
    ),
    byOwner: db.prepare(`SELECT ${cols} FROM accounts WHERE owner_key >= ? AND owner_key < ? ORDER BY owner_key LIMIT ?`),
  };
}

export class AccountStore {
  private readonly rows: SearchStatements;
  private readonly numbers: SearchStatements;

  constructor(private readonly db: JournalDb) {
    this.rows = searchStatements(db, 'number, els, city, street, house, building, flat, owner_name, status');
    this.numbers = searchStatements(db, 'number');
  }

  /** The first `limit` accounts that match what the cashier typed, best first. */
  search(q: string, limit = 20): AccountHit[] {
    return (this.match(q, this.rows, limit) as AccountRow[]).map((r) => ({
      number: r.number,
      els: r.els,
      address: formatAddress(r),
      ownerName: r.owner_name,
      status: r.status,
    }));
  }

  /** The first `limit` matches and how many there are in all, so the list can say it shows only some. */
  searchWithTotal(q: string, limit = 20): AccountSearchResult {
    const items = this.search(q, limit);
    if (items.length < limit) return { items, total: items.length, totalCapped: false };
    const counted = this.match(q, this.numbers, SEARCH_COUNT_CAP + 1).length;
    return { items, total: Math.min(counted, SEARCH_COUNT_CAP), totalCapped: counted > SEARCH_COUNT_CAP };
  }

  /**
   * The accounts matching `q`, up to `limit`, distinct, best first: the number or its beginning, the
   * ЕЛС, or an address — a flat typed and found is that flat alone, else the house's flats — or a name.
   */
  private match(q: string, st: SearchStatements, limit: number): { number: string }[] {
    const plan = planSearch(q);
    const rows: { number: string }[] = [];
    const seen = new Set<string>();
    const add = (list: unknown[]): void => {
      for (const r of list as { number: string }[]) {
        if (!seen.has(r.number) && rows.length < limit) {
          seen.add(r.number);
          rows.push(r);
        }
      }
    };
    if (plan.numberPrefix) {
      add([st.byNumber.get(plan.numberPrefix)].filter(Boolean));
      add(st.byNumberPrefix.all(plan.numberPrefix, plan.numberPrefix + TOP, limit));
    }
    if (plan.els) add(st.byEls.all(plan.els, limit));
    if (plan.words) {
      const lo = plan.words;
      const hi = plan.words + TOP;
      const r = plan.house ? houseRange(plan.house) : null;
      // A building was typed: only it (an empty range can match nothing).
      const range = r
        ? {
            house: r.exact,
            from: r.from ?? '\uffff',
            to: r.to ?? '\uffff',
            slashFrom: r.slash?.[0] ?? '\uffff',
            slashTo: r.slash?.[1] ?? '\uffff',
          }
        : null;
      const before = rows.length;
      if (range && plan.flat) add(st.byAddressFlat.all({ lo, hi, ...range, flat: plan.flat, limit }));
      // No such flat (a typo?): the house's flats to choose from.
      if (range && rows.length === before) add(st.byAddressHouse.all({ lo, hi, ...range, limit }));
      if (!range) {
        add(st.byAddress.all(lo, hi, limit));
        add(st.byOwner.all(lo, hi, limit));
      }
    }
    return rows;
  }

  details(number: string): AccountDetails | null {
    const a = this.rows.byNumber.get(number) as AccountRow | undefined;
    if (!a) return null;
    const charges = this.db
      .prepare(
        `SELECT c.service_code, c.period, c.due_kop, c.penalty_kop, c.paid_kop, c.paid_penalty_kop, c.charge_kop,
                s.name AS service_name, p.id AS supplier_id, p.name AS supplier_name, p.inn AS supplier_inn, p.phone AS supplier_phone,
                COALESCE((SELECT SUM(l.paid_kop) FROM local_charges l WHERE l.account_number = c.account_number AND l.service_code = c.service_code AND l.period = c.period), 0) AS local_paid,
                COALESCE((SELECT SUM(l.paid_penalty_kop) FROM local_charges l WHERE l.account_number = c.account_number AND l.service_code = c.service_code AND l.period = c.period), 0) AS local_penalty
         FROM charges c JOIN services s ON s.code = c.service_code JOIN suppliers p ON p.id = COALESCE(c.supplier_id, s.supplier_id)
         WHERE c.account_number = ? ORDER BY c.period, s.name`,
      )
      .all(number) as {
      service_code: string;
      period: string;
      due_kop: number;
      penalty_kop: number;
      paid_kop: number;
      paid_penalty_kop: number;
      charge_kop: number | null;
      service_name: string;
      supplier_id: string;
      supplier_name: string;
      supplier_inn: string;
      supplier_phone: string | null;
      local_paid: number;
      local_penalty: number;
    }[];
    const debts = charges.map<DebtLine>((c) => ({
      serviceCode: c.service_code,
      serviceName: c.service_name,
      supplier: { id: c.supplier_id, name: c.supplier_name, inn: c.supplier_inn, phone: c.supplier_phone },
      period: c.period,
      dueKop: c.due_kop,
      penaltyKop: c.penalty_kop,
      debtKop: Math.max(0, c.due_kop - c.paid_kop - c.local_paid),
      advanceKop: Math.max(0, c.paid_kop + c.local_paid - c.due_kop),
      penaltyDebtKop: Math.max(0, c.penalty_kop - c.paid_penalty_kop - c.local_penalty),
      chargeKop: c.charge_kop,
    }));
    const meters = (
      this.db
        .prepare(
          `SELECT m.*, s.name AS service_name,
                (SELECT r.value FROM local_readings r WHERE r.meter_id = m.id ORDER BY r.date DESC LIMIT 1) AS local_value,
                (SELECT r.date FROM local_readings r WHERE r.meter_id = m.id ORDER BY r.date DESC LIMIT 1) AS local_date
         FROM meters m LEFT JOIN services s ON s.code = m.service_code WHERE m.account_number = ? AND m.active = 1 ORDER BY s.name, m.serial`,
        )
        .all(number) as {
        id: string;
        service_code: string;
        service_name: string | null;
        serial: string;
        digits: number;
        fraction_digits: number;
        verification_due: string | null;
        jump_threshold: number | null;
        last_value: string | null;
        last_date: string | null;
        local_value: string | null;
        local_date: string | null;
      }[]
    ).map<MeterView>((m) => {
      const local = m.local_date && (!m.last_date || m.local_date > m.last_date);
      return {
        id: m.id,
        serviceCode: m.service_code,
        serviceName: m.service_name ?? m.service_code,
        serial: m.serial,
        digits: m.digits,
        fractionDigits: m.fraction_digits,
        verificationDue: m.verification_due,
        jumpThreshold: m.jump_threshold,
        lastValue: local ? m.local_value : m.last_value,
        lastDate: local ? m.local_date : m.last_date,
      };
    });
    const recentPayments = (
      this.db
        .prepare(
          `SELECT op_id, number, created_at, total_kop, state, reversed_by FROM operations WHERE account_number = ? AND kind = 'billing' ORDER BY created_at DESC LIMIT 10`,
        )
        .all(number) as {
        op_id: string;
        number: string;
        created_at: string;
        total_kop: number;
        state: string;
        reversed_by: string | null;
      }[]
    ).map((p) => ({
      paymentId: p.op_id,
      number: p.number,
      createdAt: p.created_at,
      totalKop: p.total_kop,
      state: p.state,
      reversed: p.reversed_by !== null,
    }));
    return {
      number: a.number,
      els: a.els,
      address: formatAddress(a),
      ownerName: a.owner_name,
      status: a.status,
      city: a.city,
      street: a.street,
      house: a.house,
      building: a.building,
      flat: a.flat,
      debts,
      totalDebtKop: debts.reduce((s, d) => s + d.debtKop + d.penaltyDebtKop, 0),
      totalAdvanceKop: debts.reduce((s, d) => s + d.advanceKop, 0),
      meters,
      recentPayments,
    };
  }
}
