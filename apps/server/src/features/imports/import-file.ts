/**
 * Imports from the billing: accounts, charges, meters. A file is read as a stream (UTF-8 or
 * windows-1251, detected or given), every row is checked and staged; references and duplicates are
 * checked in SQL; a file with any error imports nothing and its report lists every bad row with its
 * line and reason. A good file is applied in chunks (each its own short transaction under the
 * stamping lock, so desks keep syncing meanwhile); rows whose values did not change keep their
 * version, so importing the same file again changes nothing.
 */
import { randomUUID } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { TextDecoder } from 'node:util';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { lockStamping } from '../../db/versioning.ts';
import { mapHeader, parseRow, type AccountRow, type ChargeRow, type ImportKind, type MeterRow, type ParsedRow, type RowError } from './layouts.ts';

export type ImportEncoding = 'utf-8' | 'windows-1251' | 'auto';

export interface ImportOptions {
  kind: ImportKind;
  fileName: string;
  encoding?: ImportEncoding;
  createdBy?: string | null;
  /** Charges only: payments in the billing feed after this position are not yet in the billing's figures. */
  asOfFeedPosition?: number;
  onProgress?: (p: { phase: 'reading' | 'checking' | 'applying'; rows: number; total?: number }) => void;
  /** Rows per staging insert and per applied chunk. */
  chunkRows?: number;
  importId?: string;
}

export interface ImportReport {
  importId: string;
  kind: ImportKind;
  status: 'done' | 'failed';
  encoding: 'utf-8' | 'windows-1251';
  delimiter: string;
  totalRows: number;
  changedRows: number;
  errorCount: number;
  /** The first 1000 errors, in line order. */
  errors: RowError[];
  seconds: number;
}

const MAX_REPORTED_ERRORS = 1000;

/** Decodes bytes to text, deciding the encoding from the first 64 KB when asked to. */
class Decode extends Transform {
  private decoder: TextDecoder | null = null;
  private head: Buffer[] = [];
  private headBytes = 0;
  encoding: 'utf-8' | 'windows-1251' = 'utf-8';

  constructor(private readonly requested: ImportEncoding) {
    super({ readableObjectMode: false });
  }

  private start(): void {
    const sample = Buffer.concat(this.head);
    if (this.requested === 'auto') {
      // Valid UTF-8 (ignoring a sequence cut at the sample's end) means UTF-8, else windows-1251.
      let end = sample.length;
      while (end > 0 && end > sample.length - 4 && ((sample[end - 1] ?? 0) & 0xc0) === 0x80) end--;
      if (end > 0 && ((sample[end - 1] ?? 0) & 0xc0) === 0xc0) end--;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, end));
        this.encoding = 'utf-8';
      } catch {
        this.encoding = 'windows-1251';
      }
    } else this.encoding = this.requested;
    this.decoder = new TextDecoder(this.encoding, { ignoreBOM: false });
    const text = this.decoder.decode(sample, { stream: true });
    this.head = [];
    if (text) this.push(text);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (!this.decoder) {
      this.head.push(chunk);
      this.headBytes += chunk.length;
      if (this.headBytes >= 65_536) this.start();
      cb();
      return;
    }
    const text = this.decoder.decode(chunk, { stream: true });
    if (text) this.push(text);
    cb();
  }

  override _flush(cb: TransformCallback): void {
    if (!this.decoder) this.start();
    const rest = this.decoder?.decode() ?? '';
    if (rest) this.push(rest);
    cb();
  }
}

/** `;` or `,`, whichever the header line has more of. */
export function sniffDelimiter(headerLine: string): ';' | ',' {
  return (headerLine.match(/;/g)?.length ?? 0) >= (headerLine.match(/,/g)?.length ?? 0) ? ';' : ',';
}

/** Reads the decoded text until the first line is complete, then hands back that head and the rest. */
async function splitHead(text: Readable): Promise<{ head: string; rest: AsyncIterator<string> }> {
  const it = text[Symbol.asyncIterator]() as AsyncIterator<string>;
  let head = '';
  while (!head.includes('\n') && head.length < 1_000_000) {
    const next = await it.next();
    if (next.done) break;
    head += String(next.value);
  }
  return { head, rest: it };
}

interface Stager {
  add(line: number, row: ParsedRow): Promise<void>;
  flush(): Promise<void>;
}

function stager(db: Kysely<DB>, kind: ImportKind, importId: string, chunkRows: number): Stager {
  let lines: number[] = [];
  let rows: ParsedRow[] = [];
  const flush = async (): Promise<void> => {
    if (rows.length === 0) return;
    const l = lines;
    const r = rows;
    lines = [];
    rows = [];
    if (kind === 'accounts') {
      const a = r as AccountRow[];
      await sql`INSERT INTO staging_accounts (import_id, line, number, els, city, street, house, building, flat, owner_name, status)
        SELECT ${importId}::uuid, * FROM unnest(${l}::int[], ${a.map((x) => x.number)}::text[], ${a.map((x) => x.els)}::text[], ${a.map((x) => x.city)}::text[], ${a.map((x) => x.street)}::text[],
          ${a.map((x) => x.house)}::text[], ${a.map((x) => x.building)}::text[], ${a.map((x) => x.flat)}::text[], ${a.map((x) => x.owner_name)}::text[], ${a.map((x) => x.status)}::text[])`.execute(db);
    } else if (kind === 'charges') {
      const c = r as ChargeRow[];
      await sql`INSERT INTO staging_charges (import_id, line, account_number, service_code, period, due_kop, penalty_kop, charge_kop)
        SELECT ${importId}::uuid, * FROM unnest(${l}::int[], ${c.map((x) => x.account_number)}::text[], ${c.map((x) => x.service_code)}::text[], ${c.map((x) => x.period)}::text[],
          ${c.map((x) => x.due_kop)}::bigint[], ${c.map((x) => x.penalty_kop)}::bigint[], ${c.map((x) => x.charge_kop)}::bigint[])`.execute(db);
    } else {
      const m = r as MeterRow[];
      await sql`INSERT INTO staging_meters (import_id, line, account_number, service_code, serial, digits, fraction_digits, verification_due, jump_threshold, last_value_milli, last_date)
        SELECT ${importId}::uuid, * FROM unnest(${l}::int[], ${m.map((x) => x.account_number)}::text[], ${m.map((x) => x.service_code)}::text[], ${m.map((x) => x.serial)}::text[],
          ${m.map((x) => x.digits)}::int[], ${m.map((x) => x.fraction_digits)}::int[], ${m.map((x) => x.verification_due)}::date[], ${m.map((x) => x.jump_threshold)}::int[],
          ${m.map((x) => x.last_value_milli)}::bigint[], ${m.map((x) => x.last_date)}::date[])`.execute(db);
    }
  };
  return {
    async add(line, row) {
      lines.push(line);
      rows.push(row);
      if (rows.length >= chunkRows) await flush();
    },
    flush,
  };
}

const STAGING: Record<ImportKind, string> = { accounts: 'staging_accounts', charges: 'staging_charges', meters: 'staging_meters' };

/** Duplicates and missing references, found in SQL over the staged rows. */
async function checkStaged(db: Kysely<DB>, kind: ImportKind, importId: string): Promise<RowError[]> {
  const errors: RowError[] = [];
  const dupKey = kind === 'accounts' ? sql`number` : kind === 'charges' ? sql`account_number, service_code, period` : sql`account_number, serial`;
  const dups = await sql<{ line: number; first: number }>`
    SELECT line, first FROM (SELECT line, min(line) OVER (PARTITION BY ${dupKey}) AS first FROM ${sql.table(STAGING[kind])} WHERE import_id = ${importId}) d
    WHERE line <> first ORDER BY line LIMIT ${MAX_REPORTED_ERRORS}`.execute(db);
  for (const d of dups.rows) errors.push({ line: d.line, message: `повторяет строку ${d.first}` });
  if (kind !== 'accounts') {
    const table = sql.table(STAGING[kind]);
    const noAccount = await sql<{ line: number; account_number: string }>`
      SELECT s.line, s.account_number FROM ${table} s WHERE s.import_id = ${importId}
      AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.number = s.account_number) ORDER BY s.line LIMIT ${MAX_REPORTED_ERRORS}`.execute(db);
    for (const r of noAccount.rows) errors.push({ line: r.line, column: 'account', message: `лицевой счёт ${r.account_number} не найден (загрузите сначала счета)` });
    const noService = await sql<{ line: number; service_code: string }>`
      SELECT s.line, s.service_code FROM ${table} s WHERE s.import_id = ${importId}
      AND NOT EXISTS (SELECT 1 FROM services v WHERE v.code = s.service_code) ORDER BY s.line LIMIT ${MAX_REPORTED_ERRORS}`.execute(db);
    for (const r of noService.rows) errors.push({ line: r.line, column: 'service', message: `услуга ${r.service_code} не найдена` });
  }
  return errors;
}

/** Applies staged lines [from, to] in one short transaction; returns how many rows changed. */
async function applyChunk(db: Database, kind: ImportKind, importId: string, from: number, to: number, asOf: number): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await lockStamping(trx);
    if (kind === 'accounts') {
      const r = await sql`
        INSERT INTO accounts (number, els, city, street, house, building, flat, owner_name, status, version)
        SELECT number, els, city, street, house, building, flat, owner_name, status, nextval('ref_version')
        FROM staging_accounts WHERE import_id = ${importId} AND line BETWEEN ${from} AND ${to}
        ON CONFLICT (number) DO UPDATE SET els = excluded.els, city = excluded.city, street = excluded.street, house = excluded.house, building = excluded.building,
          flat = excluded.flat, owner_name = excluded.owner_name, status = excluded.status, version = excluded.version
        WHERE (accounts.els, accounts.city, accounts.street, accounts.house, accounts.building, accounts.flat, accounts.owner_name, accounts.status)
          IS DISTINCT FROM (excluded.els, excluded.city, excluded.street, excluded.house, excluded.building, excluded.flat, excluded.owner_name, excluded.status)`.execute(trx);
      return Number(r.numAffectedRows ?? 0);
    }
    if (kind === 'charges') {
      // What the billing's figures do not include yet: payments after the position it has consumed.
      const r = await sql`
        WITH recent AS (
          SELECT p.account_number, l.code, l.period, sum(l.amount_kop) AS paid, sum(l.penalty_kop) AS pen
          FROM billing_feed f JOIN payments p ON p.op_id = f.op_id JOIN payment_lines l ON l.op_id = p.op_id
          WHERE f.position > ${asOf} AND f.kind = 'payment' AND p.state = 'accepted'
          GROUP BY p.account_number, l.code, l.period)
        INSERT INTO charges (account_number, service_code, period, due_kop, penalty_kop, paid_kop, paid_penalty_kop, charge_kop, version)
        SELECT s.account_number, s.service_code, s.period, s.due_kop, s.penalty_kop, coalesce(r.paid, 0), coalesce(r.pen, 0), s.charge_kop, nextval('ref_version')
        FROM staging_charges s LEFT JOIN recent r ON r.account_number = s.account_number AND r.code = s.service_code AND r.period = s.period
        WHERE s.import_id = ${importId} AND s.line BETWEEN ${from} AND ${to}
        ON CONFLICT (account_number, service_code, period) DO UPDATE SET due_kop = excluded.due_kop, penalty_kop = excluded.penalty_kop, paid_kop = excluded.paid_kop,
          paid_penalty_kop = excluded.paid_penalty_kop, charge_kop = excluded.charge_kop, version = excluded.version
        WHERE (charges.due_kop, charges.penalty_kop, charges.paid_kop, charges.paid_penalty_kop, charges.charge_kop)
          IS DISTINCT FROM (excluded.due_kop, excluded.penalty_kop, excluded.paid_kop, excluded.paid_penalty_kop, excluded.charge_kop)`.execute(trx);
      return Number(r.numAffectedRows ?? 0);
    }
    const r = await sql`
      INSERT INTO meters (id, account_number, service_code, serial, digits, fraction_digits, verification_due, jump_threshold, last_value_milli, last_date, version)
      SELECT gen_random_uuid(), account_number, service_code, serial, digits, fraction_digits, verification_due, jump_threshold, last_value_milli, last_date, nextval('ref_version')
      FROM staging_meters WHERE import_id = ${importId} AND line BETWEEN ${from} AND ${to}
      ON CONFLICT (account_number, serial) DO UPDATE SET service_code = excluded.service_code, digits = excluded.digits, fraction_digits = excluded.fraction_digits,
        verification_due = excluded.verification_due, jump_threshold = excluded.jump_threshold,
        last_value_milli = CASE WHEN meters.last_date IS NULL OR excluded.last_date > meters.last_date THEN excluded.last_value_milli ELSE meters.last_value_milli END,
        last_date = CASE WHEN meters.last_date IS NULL OR excluded.last_date > meters.last_date THEN excluded.last_date ELSE meters.last_date END,
        version = excluded.version
      WHERE (meters.service_code, meters.digits, meters.fraction_digits, meters.verification_due, meters.jump_threshold) IS DISTINCT FROM
            (excluded.service_code, excluded.digits, excluded.fraction_digits, excluded.verification_due, excluded.jump_threshold)
         OR (excluded.last_date IS NOT NULL AND (meters.last_date IS NULL OR excluded.last_date > meters.last_date))`.execute(trx);
    return Number(r.numAffectedRows ?? 0);
  });
}

export async function importFile(db: Database, source: Readable | Buffer, options: ImportOptions): Promise<ImportReport> {
  const started = Date.now();
  const importId = options.importId ?? randomUUID();
  const chunkRows = options.chunkRows ?? 10_000;
  const { kind } = options;
  await db.insertInto('imports').values({ id: importId, kind, file_name: options.fileName, status: 'validating', errors: '[]', created_by: options.createdBy ?? null, finished_at: null }).onConflict((oc) => oc.column('id').doNothing()).execute();

  const decode = new Decode(options.encoding ?? 'auto');
  const errors: RowError[] = [];
  let errorCount = 0;
  const addError = (e: RowError): void => {
    errorCount++;
    if (errors.length < MAX_REPORTED_ERRORS) errors.push(e);
  };
  const stage = stager(db, kind, importId, chunkRows);
  let totalRows = 0;
  let index: Map<string, number> | null = null;
  let headerBad = false;

  const input = Buffer.isBuffer(source) ? Readable.from([source]) : source;
  let delimiter: ';' | ',' = ';';
  const consume = new Transform({
    objectMode: true,
    transform: (record: { record: string[]; info: { lines: number } }, _enc, cb) => {
      const line = record.info.lines;
      void (async () => {
        if (!index) {
          const mapped = mapHeader(kind, record.record);
          mapped.errors.forEach(addError);
          headerBad = mapped.errors.length > 0;
          index = mapped.index;
          return;
        }
        if (headerBad) return;
        totalRows++;
        const parsed = parseRow(kind, index, record.record, line);
        if (parsed.row && errorCount === 0) await stage.add(line, parsed.row);
        parsed.errors.forEach(addError);
        if (totalRows % chunkRows === 0) options.onProgress?.({ phase: 'reading', rows: totalRows });
      })().then(() => cb(), cb);
    },
  });
  try {
    const { head, rest } = await splitHead(input.pipe(decode));
    delimiter = sniffDelimiter(head.split('\n')[0] ?? '');
    const parser = parse({ delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, bom: true, info: true });
    const text = Readable.from((async function* () {
      if (head) yield head;
      for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
    })());
    await pipeline(text, parser, consume);
    await stage.flush();
  } catch (e) {
    addError({ line: 0, message: `файл не читается: ${(e as Error).message}` });
  }
  if (index === null && errorCount === 0) addError({ line: 1, message: 'файл пуст: нет строки заголовка' });
  else if (totalRows === 0 && errorCount === 0) addError({ line: 2, message: 'в файле нет строк с данными' });

  if (errorCount === 0) {
    options.onProgress?.({ phase: 'checking', rows: totalRows });
    for (const e of await checkStaged(db, kind, importId)) addError(e);
  }
  let changedRows = 0;
  if (errorCount === 0) {
    await db.updateTable('imports').set({ status: 'applying', total_rows: totalRows }).where('id', '=', importId).execute();
    const asOf = options.asOfFeedPosition ?? (await defaultAsOf(db));
    const bounds = await sql<{ lo: number; hi: number }>`SELECT min(line) AS lo, max(line) AS hi FROM ${sql.table(STAGING[kind])} WHERE import_id = ${importId}`.execute(db);
    const lo = Number(bounds.rows[0]?.lo ?? 0);
    const hi = Number(bounds.rows[0]?.hi ?? -1);
    let done = 0;
    const span = chunkRows * 5;
    for (let from = lo; from <= hi; from += span) {
      const to = Math.min(from + span - 1, hi);
      changedRows += await applyChunk(db, kind, importId, from, to, asOf);
      done = Math.min(totalRows, done + span);
      options.onProgress?.({ phase: 'applying', rows: done, total: totalRows });
      await db.updateTable('imports').set({ processed_rows: done, changed_rows: changedRows }).where('id', '=', importId).execute();
    }
  }
  errors.sort((a, b) => a.line - b.line);
  await sql`DELETE FROM ${sql.table(STAGING[kind])} WHERE import_id = ${importId}`.execute(db);
  const status = errorCount === 0 ? 'done' : 'failed';
  await db
    .updateTable('imports')
    .set({ status, total_rows: totalRows, processed_rows: status === 'done' ? totalRows : 0, changed_rows: changedRows, error_count: errorCount, errors: JSON.stringify(errors), finished_at: new Date() })
    .where('id', '=', importId)
    .execute();
  return { importId, kind, status, encoding: decode.encoding, delimiter, totalRows, changedRows, errorCount, errors, seconds: (Date.now() - started) / 1000 };
}

/** By default the billing's figures include every payment it has acknowledged from the feed. */
async function defaultAsOf(db: Database): Promise<number> {
  const ack = await db.selectFrom('feed_acks').select('position').where('consumer', '=', 'billing').executeTakeFirst();
  if (ack) return ack.position;
  const last = await db.selectFrom('billing_feed').select((eb) => eb.fn.max('position').as('p')).executeTakeFirst();
  return Number(last?.p ?? 0);
}
