/**
 * Applies pulled reference data to the desk's replica, one page per transaction. A row is written
 * only when it is newer than the one held, so pages may overlap or repeat without harm.
 */
import type { Statement } from '@paydesk/sqlite';
import type { PullResponse } from '@paydesk/protocol';
import type { JournalDb } from '../../db/journal-db.ts';
import { settingsChanged } from '../../desk-settings.ts';
import { houseKey, houseWithBuilding, ownerKey, streetKey } from '../accounts/search-keys.ts';

type Changes = PullResponse['changes'];

export class Replica {
  private readonly stmts;

  constructor(private readonly db: JournalDb) {
    const upsert = (table: string, cols: string[], key: string[]): Statement<unknown[]> =>
      db.prepare<unknown[]>(
        `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})
         ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${cols
           .filter((c) => !key.includes(c))
           .map((c) => `${c} = excluded.${c}`)
           .join(', ')}
         WHERE excluded.version > ${table}.version`,
      );
    this.stmts = {
      account: upsert(
        'accounts',
        [
          'number',
          'els',
          'city',
          'street',
          'house',
          'building',
          'flat',
          'owner_name',
          'status',
          'street_key',
          'house_key',
          'flat_key',
          'owner_key',
          'version',
        ],
        ['number'],
      ),
      charge: upsert(
        'charges',
        [
          'account_number',
          'service_code',
          'period',
          'due_kop',
          'penalty_kop',
          'paid_kop',
          'paid_penalty_kop',
          'charge_kop',
          'supplier_id',
          'version',
        ],
        ['account_number', 'service_code', 'period'],
      ),
      meter: upsert(
        'meters',
        [
          'id',
          'account_number',
          'service_code',
          'serial',
          'digits',
          'fraction_digits',
          'verification_due',
          'jump_threshold',
          'last_value',
          'last_date',
          'active',
          'version',
        ],
        ['id'],
      ),
      supplier: upsert('suppliers', ['id', 'name', 'inn', 'kpp', 'phone', 'commission', 'agent_type', 'active', 'version'], ['id']),
      service: upsert('services', ['code', 'name', 'supplier_id', 'unit', 'active', 'version'], ['code']),
      provider: upsert('providers', ['code', 'data', 'active', 'version'], ['code']),
      priceItem: upsert('price_items', ['code', 'name', 'price_kop', 'unit', 'vat', 'active', 'version'], ['code']),
      user: upsert('users', ['id', 'login', 'name', 'role', 'inn', 'password_hash', 'active', 'version'], ['id']),
      setting: upsert('settings', ['key', 'value', 'version'], ['key']),
      forwarding: upsert('forwarding', ['op_id', 'state', 'prv_txn', 'code', 'comment', 'updated_at', 'version'], ['op_id']),
      street: db.prepare<unknown[]>('INSERT OR IGNORE INTO streets (street_key) VALUES (?)'),
    };
  }

  /** Applies a page; returns how many rows it carried. */
  apply(changes: Changes): number {
    let n = 0;
    const s = this.stmts;
    this.db.transaction(() => {
      for (const r of changes.suppliers ?? [])
        s.supplier.run(r.id, r.name, r.inn, r.kpp, r.phone, JSON.stringify(r.commission), r.agentType, r.active ? 1 : 0, Number(r.version));
      for (const r of changes.services ?? []) s.service.run(r.code, r.name, r.supplierId, r.unit, r.active ? 1 : 0, Number(r.version));
      const streets = new Set<string>();
      for (const r of changes.accounts ?? []) {
        const street = streetKey(r.street);
        if (street !== null) streets.add(street);
        s.account.run(
          r.number,
          r.els,
          r.city,
          r.street,
          r.house,
          r.building,
          r.flat,
          r.ownerName,
          r.status,
          street,
          houseWithBuilding(r.house, r.building),
          houseKey(r.flat),
          ownerKey(r.ownerName),
          Number(r.version),
        );
      }
      for (const street of streets) s.street.run(street);
      for (const r of changes.charges ?? [])
        s.charge.run(
          r.accountNumber,
          r.serviceCode,
          r.period,
          r.dueKop,
          r.penaltyKop,
          r.paidKop,
          r.paidPenaltyKop,
          r.chargeKop,
          r.supplierId ?? null,
          Number(r.version),
        );
      for (const r of changes.meters ?? [])
        s.meter.run(
          r.id,
          r.accountNumber,
          r.serviceCode,
          r.serial,
          r.digits,
          r.fractionDigits,
          r.verificationDue,
          r.jumpThreshold,
          r.lastValue,
          r.lastDate,
          r.active ? 1 : 0,
          Number(r.version),
        );
      for (const r of changes.providers ?? []) s.provider.run(r.code, JSON.stringify(r), r.active ? 1 : 0, Number(r.version));
      for (const r of changes.priceItems ?? [])
        s.priceItem.run(r.code, r.name, r.priceKop, r.unit, r.vat, r.active ? 1 : 0, Number(r.version));
      for (const r of changes.users ?? [])
        s.user.run(r.id, r.login, r.name, r.role, r.inn, r.passwordHash, r.active ? 1 : 0, Number(r.version));
      for (const r of changes.settings ?? []) s.setting.run(r.key, JSON.stringify(r.value), Number(r.version));
      for (const r of changes.forwarding ?? [])
        s.forwarding.run(r.opId, r.state, r.prvTxn, r.code, r.comment, r.updatedAt, Number(r.version));
    })();
    if (changes.settings?.length) settingsChanged(this.db);
    for (const rows of Object.values(changes)) n += rows?.length ?? 0;
    return n;
  }
}
