/**
 * The desk's own database: SQLite through Node's node:sqlite (@paydesk/sqlite), WAL with synchronous=FULL (with NORMAL a
 * committed transaction can vanish in a power cut), one file per desk, migrations on start.
 *
 * - `operations`: every fiscal and non-fiscal operation of the cashier with its state machine
 *   (features/journal/lifecycle.ts), written before the register is called.
 * - `ops`: the append-only sync journal, a gapless seq assigned in the same transaction as the
 *   operation's final state; the server's answer for each op is recorded next to it.
 * - the local replica of reference data, with indexes for instant search on a million accounts.
 */
import { Database } from '@paydesk/sqlite';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { cacheStatements } from '@paydesk/sqlite';
import { FISCAL, FiscalState, HOLD, HoldState, SYNC, SyncState, sqlList } from '../features/journal/lifecycle.ts';

export type JournalDb = Database;

const MIGRATIONS: string[] = [
  `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE operations (
  op_id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  number TEXT UNIQUE,
  state TEXT NOT NULL CHECK (state IN (${sqlList(FISCAL.states)})),
  request TEXT NOT NULL,
  receipt TEXT,
  result TEXT,
  error_code TEXT,
  error_message TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  cashier_id TEXT NOT NULL,
  cashier_name TEXT NOT NULL,
  shift_number INTEGER,
  total_kop INTEGER,
  commission_kop INTEGER,
  method TEXT,
  tendered_kop INTEGER,
  account_number TEXT,
  provider_code TEXT,
  provider_account TEXT,
  original_op_id TEXT,
  reversed_by TEXT,
  seq INTEGER UNIQUE,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX operations_created ON operations (created_at);
CREATE INDEX operations_pending ON operations (state) WHERE state = '${FiscalState.pending}';
CREATE INDEX operations_shift ON operations (shift_number, kind);
CREATE INDEX operations_account ON operations (account_number, created_at) WHERE account_number IS NOT NULL;

CREATE TABLE ops (
  seq INTEGER PRIMARY KEY,
  op_id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  body TEXT NOT NULL,
  hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  sync_state TEXT NOT NULL DEFAULT '${SyncState.pending}' CHECK (sync_state IN (${sqlList(SYNC.states)})),
  sync_code TEXT,
  sync_message TEXT,
  synced_at TEXT,
  ack_version INTEGER
);
CREATE INDEX ops_pending ON ops (seq) WHERE sync_state = '${SyncState.pending}';
CREATE INDEX ops_rejected ON ops (seq) WHERE sync_state = '${SyncState.rejected}';

CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL);

-- Effects of this desk's own operations that the replica does not show yet (not pushed, or pushed
-- but not pulled back): the debt and the last readings the cashier sees include them.
CREATE TABLE local_charges (
  op_id TEXT NOT NULL,
  account_number TEXT NOT NULL,
  service_code TEXT NOT NULL,
  period TEXT NOT NULL,
  paid_kop INTEGER NOT NULL,
  paid_penalty_kop INTEGER NOT NULL,
  PRIMARY KEY (op_id, service_code, period)
);
CREATE INDEX local_charges_account ON local_charges (account_number);
CREATE TABLE local_readings (op_id TEXT PRIMARY KEY, meter_id TEXT NOT NULL, value TEXT NOT NULL, value_milli INTEGER NOT NULL, date TEXT NOT NULL);
CREATE INDEX local_readings_meter ON local_readings (meter_id);

CREATE TABLE accounts (
  number TEXT PRIMARY KEY,
  els TEXT,
  city TEXT, street TEXT, house TEXT, building TEXT, flat TEXT,
  owner_name TEXT,
  status TEXT NOT NULL,
  street_key TEXT,
  house_key TEXT,
  flat_key TEXT,
  owner_key TEXT,
  version INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX accounts_els ON accounts (els) WHERE els IS NOT NULL;
CREATE INDEX accounts_address ON accounts (street_key, house_key, flat_key);
CREATE INDEX accounts_owner ON accounts (owner_key);

CREATE TABLE charges (
  account_number TEXT NOT NULL,
  service_code TEXT NOT NULL,
  period TEXT NOT NULL,
  due_kop INTEGER NOT NULL,
  penalty_kop INTEGER NOT NULL,
  paid_kop INTEGER NOT NULL,
  paid_penalty_kop INTEGER NOT NULL,
  charge_kop INTEGER,
  version INTEGER NOT NULL,
  PRIMARY KEY (account_number, service_code, period)
) WITHOUT ROWID;

CREATE TABLE meters (
  id TEXT PRIMARY KEY,
  account_number TEXT NOT NULL,
  service_code TEXT NOT NULL,
  serial TEXT NOT NULL,
  digits INTEGER NOT NULL,
  fraction_digits INTEGER NOT NULL,
  verification_due TEXT,
  jump_threshold INTEGER,
  last_value TEXT,
  last_date TEXT,
  active INTEGER NOT NULL,
  version INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX meters_account ON meters (account_number);

CREATE TABLE suppliers (id TEXT PRIMARY KEY, name TEXT NOT NULL, inn TEXT NOT NULL, kpp TEXT, phone TEXT, commission TEXT NOT NULL, agent_type TEXT NOT NULL, active INTEGER NOT NULL, version INTEGER NOT NULL);
CREATE TABLE services (code TEXT PRIMARY KEY, name TEXT NOT NULL, supplier_id TEXT NOT NULL, unit TEXT, active INTEGER NOT NULL, version INTEGER NOT NULL);
CREATE TABLE providers (code TEXT PRIMARY KEY, data TEXT NOT NULL, active INTEGER NOT NULL, version INTEGER NOT NULL);
CREATE TABLE price_items (code TEXT PRIMARY KEY, name TEXT NOT NULL, price_kop INTEGER NOT NULL, unit TEXT NOT NULL, vat TEXT NOT NULL, active INTEGER NOT NULL, version INTEGER NOT NULL);
CREATE TABLE users (id TEXT PRIMARY KEY, login TEXT NOT NULL UNIQUE, name TEXT NOT NULL, role TEXT NOT NULL, inn TEXT, password_hash TEXT NOT NULL, active INTEGER NOT NULL, version INTEGER NOT NULL);
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL, version INTEGER NOT NULL);
CREATE TABLE forwarding (op_id TEXT PRIMARY KEY, state TEXT NOT NULL, prv_txn TEXT, code INTEGER, comment TEXT, updated_at TEXT NOT NULL, version INTEGER NOT NULL);
`,
  // The streets held, so an address typed as a street's beginning finds its streets first and then
  // seeks each one's house and flat, instead of reading every account on every matching street.
  `
CREATE TABLE streets (street_key TEXT PRIMARY KEY) WITHOUT ROWID;
INSERT OR IGNORE INTO streets (street_key) SELECT DISTINCT street_key FROM accounts WHERE street_key IS NOT NULL;
`,
  // What settles an unclear register outcome (the device's marks before the call), receipts printed
  // late, the cashier's INN for every register document, settlements by hand and their audit trail.
  // At most one live reversal per payment: a trigger rather than a unique index, so a journal that
  // already holds two (the bug this closes) still opens.
  `
ALTER TABLE operations ADD COLUMN cashier_inn TEXT;
ALTER TABLE operations ADD COLUMN marks TEXT;
ALTER TABLE operations ADD COLUMN printed INTEGER;
ALTER TABLE operations ADD COLUMN unknown_reason TEXT;
ALTER TABLE operations ADD COLUMN settled_by TEXT;
UPDATE operations SET printed = CASE WHEN json_extract(result, '$.printed') = 0 THEN 0 ELSE 1 END WHERE state = '${FiscalState.done}' AND receipt IS NOT NULL;
CREATE INDEX operations_unprinted ON operations (created_at) WHERE printed = 0;
CREATE INDEX operations_reversal_of ON operations (original_op_id) WHERE original_op_id IS NOT NULL;
CREATE TRIGGER one_live_reversal_insert BEFORE INSERT ON operations
  WHEN NEW.kind = 'reversal' AND EXISTS (SELECT 1 FROM operations WHERE kind = 'reversal' AND original_op_id = NEW.original_op_id AND state != '${FiscalState.failed}')
  BEGIN SELECT RAISE(ABORT, 'reversal_exists'); END;
CREATE TRIGGER one_live_reversal_retry BEFORE UPDATE OF state ON operations
  WHEN NEW.kind = 'reversal' AND OLD.state = '${FiscalState.failed}' AND NEW.state != '${FiscalState.failed}'
    AND EXISTS (SELECT 1 FROM operations WHERE kind = 'reversal' AND original_op_id = NEW.original_op_id AND state != '${FiscalState.failed}' AND op_id != NEW.op_id)
  BEGIN SELECT RAISE(ABORT, 'reversal_exists'); END;
CREATE TABLE audit (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  action TEXT NOT NULL,
  op_id TEXT,
  details TEXT NOT NULL
);
`,
  // Third-party payments the server holds out of forwarding for a cash refund here; a hold whose
  // reversal failed at the register must be released, or the payment is neither refunded nor credited.
  `
CREATE TABLE forwarding_holds (
  op_id TEXT NOT NULL,
  reversal_op_id TEXT PRIMARY KEY,
  state TEXT NOT NULL CHECK (state IN (${sqlList(HOLD.states)})),
  updated_at TEXT NOT NULL
);
CREATE INDEX forwarding_holds_pending ON forwarding_holds (state) WHERE state = '${HoldState.releasePending}';
`,
  // Each attempt holds under an id of its own, so a late release cannot drop a retry's hold.
  `
ALTER TABLE forwarding_holds ADD COLUMN hold_id TEXT;
UPDATE forwarding_holds SET hold_id = reversal_op_id WHERE hold_id IS NULL;
`,
  // A charge may name its own supplier (one service managed by different УК per house).
  `
ALTER TABLE charges ADD COLUMN supplier_id TEXT;
`,
  // Failed sign-ins and approvals per login, counted at the desk itself: its users are replicated, its
  // lockout is its own (the server's count does not reach a desk offline).
  `
CREATE TABLE login_attempts (login TEXT PRIMARY KEY, failed INTEGER NOT NULL, locked_until TEXT);
`,
  // A session remembers the password it was opened with (a hash of its hash): a new password from the
  // server ends it. Sessions from before cannot say, so they end now.
  `
ALTER TABLE sessions ADD COLUMN credential TEXT;
DELETE FROM sessions;
`,
  // The bank's card terminal: every command sent to it, journaled before it is sent (features/card).
  `
CREATE TABLE card_charges (
  command_id TEXT PRIMARY KEY,
  op_id TEXT NOT NULL,
  operation TEXT NOT NULL CHECK (operation IN ('pay', 'cancel', 'refund')),
  amount_kop INTEGER NOT NULL CHECK (amount_kop > 0),
  state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'declined', 'reversed', 'unknown')),
  approval TEXT,
  reason TEXT,
  terminal TEXT NOT NULL,
  slip_printed INTEGER NOT NULL DEFAULT 0,
  settled_by TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX card_charges_op ON card_charges (op_id, created_at);
CREATE INDEX card_charges_open ON card_charges (state) WHERE state IN ('pending', 'unknown');
CREATE TABLE card_settlements (
  command_id TEXT PRIMARY KEY,
  shift_number INTEGER,
  result TEXT NOT NULL,
  journal TEXT NOT NULL,
  at TEXT NOT NULL
);
`,
];

/**
 * Runs a write whose loss in a power cut is harmless — the server's acknowledgement of ops it keeps
 * anyway, a page of reference data the desk pulls again — without waiting for the disk: WAL with
 * synchronous=NORMAL still never corrupts, and the next FULL commit flushes it. The journal's own
 * operations are never written this way.
 */
const relaxed = new WeakMap<JournalDb, number>();

export function withoutFlush<T>(db: JournalDb, fn: () => T): T {
  const depth = relaxed.get(db) ?? 0;
  if (depth === 0) db.pragma('synchronous = NORMAL');
  relaxed.set(db, depth + 1);
  try {
    return db.transaction(fn)();
  } finally {
    relaxed.set(db, depth);
    if (depth === 0) db.pragma('synchronous = FULL');
  }
}

/**
 * The journal is the desk's alone: its folder and files are made owner-only before SQLite opens them
 * (SQLite gives the WAL and shared-memory files the database file's permissions). On Windows the data
 * folder under the service account's profile is what keeps others out (docs/security.md).
 */
function ownerOnly(file: string): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
}

/** The journal's schema version this code writes (SQLite's user_version). */
export const JOURNAL_SCHEMA_VERSION = MIGRATIONS.length;

export function openJournal(file: string): JournalDb {
  if (file !== ':memory:') ownerOnly(file);
  const db = new Database(file);
  cacheStatements(db);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    // A desk rolled back after an upgrade: rows it wrote would be read wrongly by the newer desk.
    db.close();
    throw new Error(
      `Журнал кассы новее программы: версия схемы ${version}, программа знает до ${MIGRATIONS.length}. ` +
        'Запустите версию кассы, которая его записала, или верните журнал из копии, снятой до обновления (paydesk-desk backup).',
    );
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return db;
}

export function getMeta(db: JournalDb, key: string): string | null {
  const r = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
  return r?.value ?? null;
}

export function setMeta(db: JournalDb, key: string, value: string): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}

export function deleteMeta(db: JournalDb, key: string): void {
  db.prepare('DELETE FROM meta WHERE key = ?').run(key);
}
