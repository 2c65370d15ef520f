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
import { AppError } from '@paydesk/protocol';
import type { Database } from '../../db/database.ts';
import type { DB } from '../../db/schema.ts';
import { lockStamping } from '../../db/versioning.ts';
import {
  mapHeader,
  parseRow,
  type AccountRow,
  type ChargeRow,
  type ImportKind,
  type MeterRow,
  type ParsedRow,
  type RowError,
} from './layouts.ts';

export type ImportEncoding = 'utf-8' | 'windows-1251' | 'auto';

/**
 * update: the file changes the rows it names, in the columns it has. snapshot: the file is the whole
 * truth for the accounts it names — their charges (or meters) it leaves out are closed.
 */
export type ImportMode = 'update' | 'snapshot';

export interface ImportOptions {
  kind: ImportKind;
  fileName: string;
  encoding?: ImportEncoding;
  mode?: ImportMode;
  createdBy?: string | null;
  /** Charges only: payments in the billing feed after this position are not yet in the billing's figures. */
  asOfFeedPosition?: number;
  onProgress?: (p: { phase: 'reading' | 'checking' | 'applying'; rows: number; total?: number }) => void;
  /** Rows per staging insert and per applied chunk. */
  chunkRows?: number;
  importId?: string;
}

/** An import as its report says it, however it is fetched: the answer of wait=true, GET /imports/:id, the CLI. */
export interface ImportReport {
  importId: string;
  kind: ImportKind;
  fileName: string;
  mode: ImportMode;
  status: 'validating' | 'applying' | 'done' | 'failed';
  /** How the file was read; null until its first bytes were. */
  encoding: 'utf-8' | 'windows-1251' | null;
  delimiter: string | null;
  /** Charges: the feed position the debts were computed at (payments after it stay counted); else null. */
  asOf: number | null;
  totalRows: number;
  processedRows: number;
  /** Rows of the file that changed something stored. */
  changedRows: number;
  /** A snapshot: charges (or meters) of the named accounts the file left out, closed. */
  closedRows: number;
  errorCount: number;
  /** The first 1000 errors, in line order. */
  errors: RowError[];
  createdBy: string | null;
  startedAt: string;
  finishedAt: string | null;
  seconds: number | null;
}

interface ImportRow {
  id: string;
  kind: ImportKind;
  file_name: string;
  mode: ImportMode;
  status: ImportReport['status'];
  encoding: 'utf-8' | 'windows-1251' | null;
  delimiter: string | null;
  as_of: number | null;
  total_rows: number;
  processed_rows: number;
  changed_rows: number;
  closed_rows: number;
  error_count: number;
  errors: unknown;
  created_by: string | null;
  started_at: Date;
  finished_at: Date | null;
}

export function reportOf(r: ImportRow): ImportReport {
  return {
    importId: r.id,
    kind: r.kind,
    fileName: r.file_name,
    mode: r.mode,
    status: r.status,
    encoding: r.encoding,
    delimiter: r.delimiter,
    asOf: r.as_of,
    totalRows: r.total_rows,
    processedRows: r.processed_rows,
    changedRows: r.changed_rows,
    closedRows: r.closed_rows,
    errorCount: r.error_count,
    errors: (typeof r.errors === 'string' ? JSON.parse(r.errors) : r.errors) as RowError[],
    createdBy: r.created_by,
    startedAt: r.started_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
    seconds: r.finished_at ? (r.finished_at.getTime() - r.started_at.getTime()) / 1000 : null,
  };
}

/** An import by its id, as its report; null when there is none. */
export async function readImport(db: Database, importId: string): Promise<ImportReport | null> {
  const row = await db.selectFrom('imports').selectAll().where('id', '=', importId).executeTakeFirst();
  return row ? reportOf(row) : null;
}

const MAX_REPORTED_ERRORS = 1000;

/** What to say of a value whose bytes are not text in the encoding the file is read in. */
function undecodable(encoding: string): string {
  return `байты не читаются в кодировке ${encoding === 'utf-8' ? 'UTF-8' : encoding} — файл сохранён в другой кодировке (выберите windows-1251, UTF-8 или «определить»)`;
}

/**
 * Decodes bytes to text, deciding the encoding from the first 64 KB when asked to. Strict in effect: a
 * byte sequence that is not valid in the encoding, wherever it falls (across a read boundary too), comes
 * out as U+FFFD and makes the file `broken`; every such value is reported with its line and column, and
 * nothing of the file is applied: replacement characters («��������») never reach a desk.
 */
class Decode extends Transform {
  private decoder: TextDecoder | null = null;
  private head: Buffer[] = [];
  private headBytes = 0;
  encoding: 'utf-8' | 'windows-1251' = 'utf-8';
  broken = false;

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
    // Lenient, streaming: a sequence cut by a chunk boundary is joined, and a byte that is not text
    // comes out as U+FFFD where it stood — which marks the file broken and its cell reported.
    this.decoder = new TextDecoder(this.encoding, { ignoreBOM: false });
    this.head = [];
    this.decodeAndPush(sample, true);
  }

  private decodeAndPush(chunk: Buffer, stream: boolean): void {
    const text = (this.decoder as TextDecoder).decode(chunk, { stream });
    if (text.includes('\ufffd')) this.broken = true;
    if (text) this.push(text);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      if (!this.decoder) {
        this.head.push(chunk);
        this.headBytes += chunk.length;
        if (this.headBytes >= 65_536) this.start();
      } else this.decodeAndPush(chunk, true);
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }

  override _flush(cb: TransformCallback): void {
    try {
      if (!this.decoder) this.start();
      this.decodeAndPush(Buffer.alloc(0), false);
      cb();
    } catch (e) {
      cb(e as Error);
    }
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
          ${a.map((x) => x.house)}::text[], ${a.map((x) => x.building)}::text[], ${a.map((x) => x.flat)}::text[], ${a.map((x) => x.owner_name)}::text[], ${a.map((x) => x.status)}::text[])`.execute(
        db,
      );
    } else if (kind === 'charges') {
      const c = r as ChargeRow[];
      await sql`INSERT INTO staging_charges (import_id, line, account_number, service_code, period, due_kop, penalty_kop, charge_kop, supplier_inn)
        SELECT ${importId}::uuid, * FROM unnest(${l}::int[], ${c.map((x) => x.account_number)}::text[], ${c.map((x) => x.service_code)}::text[], ${c.map((x) => x.period)}::text[],
          ${c.map((x) => x.due_kop)}::bigint[], ${c.map((x) => x.penalty_kop)}::bigint[], ${c.map((x) => x.charge_kop)}::bigint[], ${c.map((x) => x.supplier_inn)}::text[])`.execute(
        db,
      );
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
  const dupKey =
    kind === 'accounts' ? sql`number` : kind === 'charges' ? sql`account_number, service_code, period` : sql`account_number, serial`;
  const dups = await sql<{ line: number; first: number }>`
    SELECT line, first FROM (SELECT line, min(line) OVER (PARTITION BY ${dupKey}) AS first FROM ${sql.table(STAGING[kind])} WHERE import_id = ${importId}) d
    WHERE line <> first ORDER BY line LIMIT ${MAX_REPORTED_ERRORS}`.execute(db);
  for (const d of dups.rows) errors.push({ line: d.line, message: `повторяет строку ${d.first}` });
  if (kind !== 'accounts') {
    const table = sql.table(STAGING[kind]);
    const noAccount = await sql<{ line: number; account_number: string }>`
      SELECT s.line, s.account_number FROM ${table} s WHERE s.import_id = ${importId}
      AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.number = s.account_number) ORDER BY s.line LIMIT ${MAX_REPORTED_ERRORS}`.execute(db);
    for (const r of noAccount.rows)
      errors.push({ line: r.line, column: 'account', message: `лицевой счёт ${r.account_number} не найден (загрузите сначала счета)` });
    const noService = await sql<{ line: number; service_code: string }>`
      SELECT s.line, s.service_code FROM ${table} s WHERE s.import_id = ${importId}
      AND NOT EXISTS (SELECT 1 FROM services v WHERE v.code = s.service_code) ORDER BY s.line LIMIT ${MAX_REPORTED_ERRORS}`.execute(db);
    for (const r of noService.rows) errors.push({ line: r.line, column: 'service', message: `услуга ${r.service_code} не найдена` });
  }
  if (kind === 'charges') {
    const noSupplier = await sql<{ line: number; supplier_inn: string }>`
      SELECT s.line, s.supplier_inn FROM staging_charges s WHERE s.import_id = ${importId} AND s.supplier_inn IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM suppliers p WHERE p.inn = s.supplier_inn) ORDER BY s.line LIMIT ${MAX_REPORTED_ERRORS}`.execute(db);
    for (const r of noSupplier.rows)
      errors.push({
        line: r.line,
        column: 'supplier',
        message: `поставщик с ИНН ${r.supplier_inn} не найден (заведите его в справочнике поставщиков)`,
      });
    // A ИНН two suppliers share (a head office and a branch) names neither: never one picked at random.
    const shared = await sql<{ line: number; supplier_inn: string }>`
      SELECT s.line, s.supplier_inn FROM staging_charges s WHERE s.import_id = ${importId} AND s.supplier_inn IS NOT NULL
      AND (SELECT count(*) FROM suppliers p WHERE p.inn = s.supplier_inn) > 1 ORDER BY s.line LIMIT ${MAX_REPORTED_ERRORS}`.execute(db);
    for (const r of shared.rows)
      errors.push({
        line: r.line,
        column: 'supplier',
        message: `ИНН ${r.supplier_inn} у нескольких поставщиков (разные КПП): по нему не понять, чьё начисление`,
      });
  }
  return errors;
}

/**
 * The stored columns a file's header names. A column the file leaves out is left as it is on rows
 * that exist (an import never nulls what the file did not mention); a column present but empty
 * clears the value.
 */
const COLUMNS: Record<ImportKind, Record<string, string>> = {
  accounts: {
    els: 'els',
    city: 'city',
    street: 'street',
    house: 'house',
    building: 'building',
    flat: 'flat',
    owner: 'owner_name',
    status: 'status',
  },
  charges: { due: 'due_kop', penalty: 'penalty_kop', charge: 'charge_kop', supplier: 'supplier_id' },
  meters: {
    service: 'service_code',
    digits: 'digits',
    fraction_digits: 'fraction_digits',
    verification_due: 'verification_due',
    jump_threshold: 'jump_threshold',
  },
};

function named(kind: ImportKind, present: Set<string>): string[] {
  return Object.entries(COLUMNS[kind])
    .filter(([name]) => present.has(name))
    .map(([, column]) => column);
}

/** `SET a = excluded.a, …` and the matching IS DISTINCT FROM test, for the given columns. */
function updateOf(table: string, columns: string[]): { set: ReturnType<typeof sql.raw>; changed: ReturnType<typeof sql.raw> } {
  if (columns.length === 0) return { set: sql.raw('version = version'), changed: sql.raw('false') };
  return {
    set: sql.raw(columns.map((c) => `${c} = excluded.${c}`).join(', ')),
    changed: sql.raw(
      `(${columns.map((c) => `${table}.${c}`).join(', ')}) IS DISTINCT FROM (${columns.map((c) => `excluded.${c}`).join(', ')})`,
    ),
  };
}

/** Applies staged lines [from, to] in one short transaction; returns how many rows changed. */
async function applyChunk(
  db: Database,
  kind: ImportKind,
  importId: string,
  from: number,
  to: number,
  asOf: number,
  present: Set<string>,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await lockStamping(trx);
    if (kind === 'accounts') {
      const u = updateOf('accounts', named(kind, present));
      const r = await sql`
        INSERT INTO accounts (number, els, city, street, house, building, flat, owner_name, status, version)
        SELECT number, els, city, street, house, building, flat, owner_name, status, nextval('ref_version')
        FROM staging_accounts WHERE import_id = ${importId} AND line BETWEEN ${from} AND ${to}
        ON CONFLICT (number) DO UPDATE SET ${u.set}, version = excluded.version
        WHERE ${u.changed}`.execute(trx);
      return Number(r.numAffectedRows ?? 0);
    }
    if (kind === 'charges') {
      // What the billing's figures do not include yet: payments after the position it has consumed.
      const u = updateOf('charges', [...named(kind, present), 'paid_kop', 'paid_penalty_kop']);
      const r = await sql`
        WITH recent AS (
          SELECT p.account_number, l.code, l.period, sum(l.amount_kop) AS paid, sum(l.penalty_kop) AS pen
          FROM billing_feed f JOIN payments p ON p.op_id = f.op_id JOIN payment_lines l ON l.op_id = p.op_id
          WHERE f.position > ${asOf} AND f.kind = 'payment' AND p.state = 'accepted'
          GROUP BY p.account_number, l.code, l.period)
        INSERT INTO charges (account_number, service_code, period, due_kop, penalty_kop, paid_kop, paid_penalty_kop, charge_kop, supplier_id, version)
        SELECT s.account_number, s.service_code, s.period, s.due_kop, s.penalty_kop, coalesce(r.paid, 0), coalesce(r.pen, 0), s.charge_kop,
          (SELECT p.id FROM suppliers p WHERE p.inn = s.supplier_inn LIMIT 1), nextval('ref_version')
        FROM staging_charges s LEFT JOIN recent r ON r.account_number = s.account_number AND r.code = s.service_code AND r.period = s.period
        WHERE s.import_id = ${importId} AND s.line BETWEEN ${from} AND ${to}
        ON CONFLICT (account_number, service_code, period) DO UPDATE SET ${u.set}, version = excluded.version
        WHERE ${u.changed}`.execute(trx);
      return Number(r.numAffectedRows ?? 0);
    }
    const u = updateOf('meters', named(kind, present));
    // A reading in the file replaces the stored one only when it is newer.
    const reading = present.has('last_value') || present.has('last_date');
    const r = await sql`
      INSERT INTO meters (id, account_number, service_code, serial, digits, fraction_digits, verification_due, jump_threshold, last_value_milli, last_date, version)
      SELECT gen_random_uuid(), account_number, service_code, serial, digits, fraction_digits, verification_due, jump_threshold, last_value_milli, last_date, nextval('ref_version')
      FROM staging_meters WHERE import_id = ${importId} AND line BETWEEN ${from} AND ${to}
      ON CONFLICT (account_number, serial) DO UPDATE SET ${u.set},
        last_value_milli = CASE WHEN ${sql.raw(String(reading))} AND (meters.last_date IS NULL OR excluded.last_date > meters.last_date) THEN excluded.last_value_milli ELSE meters.last_value_milli END,
        last_date = CASE WHEN ${sql.raw(String(reading))} AND (meters.last_date IS NULL OR excluded.last_date > meters.last_date) THEN excluded.last_date ELSE meters.last_date END,
        version = excluded.version
      WHERE ${u.changed}
         OR (${sql.raw(String(reading))} AND excluded.last_date IS NOT NULL AND (meters.last_date IS NULL OR excluded.last_date > meters.last_date))`.execute(
      trx,
    );
    return Number(r.numAffectedRows ?? 0);
  });
}

/**
 * What is wrong with the request rather than the file, refused before a byte of it is read: a snapshot
 * of accounts (an account is closed by its status), a feed position past the feed's end.
 */
/**
 * Imports a stopped server left running (the process that ran them is gone) are failed. One stopped while
 * checking applied nothing; one stopped while applying applied its first chunks (each chunk is its own
 * transaction, `processedRows` says how far): the same file sent again brings it to the end, as an import
 * changes only what differs. Run by `serve` at start: imports run in the serving process.
 */
export async function failInterruptedImports(db: Database): Promise<number> {
  const r = await db
    .updateTable('imports')
    .set({
      status: 'failed',
      finished_at: new Date(),
      errors: JSON.stringify([
        { line: 0, message: 'загрузка прервана остановкой сервера: загрузите тот же файл снова — повтор доведёт её до конца' },
      ]),
      error_count: 1,
    })
    .where('status', 'in', ['validating', 'applying'])
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** The import of this kind running now, said as the refusal of another: one import of a kind at a time. */
async function refuseIfRunning(db: Database, kind: ImportKind): Promise<void> {
  const running = await db
    .selectFrom('imports')
    .select(['id', 'file_name', 'started_at', 'created_by'])
    .where('kind', '=', kind)
    .where('status', 'in', ['validating', 'applying'])
    .executeTakeFirst();
  if (running) {
    throw new AppError(
      'conflict',
      `Уже идёт загрузка файла «${running.file_name}» того же вида (начата ${running.started_at.toISOString()}, ${running.created_by ?? '—'}): дождитесь её конца — ход в GET /api/v1/imports/${running.id}`,
      { reason: 'import_running', importId: running.id },
    );
  }
}

export async function checkImportOptions(db: Database, options: Pick<ImportOptions, 'kind' | 'mode' | 'asOfFeedPosition'>): Promise<void> {
  await refuseIfRunning(db, options.kind);
  if (options.mode === 'snapshot' && options.kind === 'accounts') {
    throw new AppError(
      'validation.failed',
      'Счета не загружаются полным снимком (mode=snapshot): счёт закрывают статусом closed в файле. Загрузите файл с mode=update.',
    );
  }
  if (options.asOfFeedPosition !== undefined && options.asOfFeedPosition > 0) {
    const last = Number(
      (
        await db
          .selectFrom('billing_feed')
          .select((eb) => eb.fn.max('position').as('p'))
          .executeTakeFirst()
      )?.p ?? 0,
    );
    if (options.asOfFeedPosition > last)
      throw new AppError(
        'validation.failed',
        `asOf=${options.asOfFeedPosition}: такой позиции в ленте ещё нет, последняя — ${last}. Передайте позицию, до которой биллинг прочёл ленту.`,
      );
  }
}

export async function importFile(db: Database, source: Readable | Buffer, options: ImportOptions): Promise<ImportReport> {
  const importId = options.importId ?? randomUUID();
  const chunkRows = options.chunkRows ?? 10_000;
  const { kind } = options;
  const mode = options.mode ?? 'update';
  await checkImportOptions(db, options);
  // The unique index on a running kind decides between two that passed the check at once.
  await db
    .insertInto('imports')
    .values({
      id: importId,
      kind,
      file_name: options.fileName,
      mode,
      status: 'validating',
      errors: '[]',
      created_by: options.createdBy ?? null,
      finished_at: null,
      encoding: null,
      delimiter: null,
      as_of: null,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute()
    .catch(async (e: unknown) => {
      if ((e as { code?: string }).code === '23505') await refuseIfRunning(db, kind);
      throw e;
    });

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
  let headerFields = 0;
  let headerBad = false;

  const input = Buffer.isBuffer(source) ? Readable.from([source]) : source;
  let delimiter: ';' | ',' = ';';
  const consume = new Transform({
    objectMode: true,
    transform: (record: { record: string[]; info: { lines: number } }, _enc, cb) => {
      const line = record.info.lines;
      void (async () => {
        // A value that did not decode: said once, where it is; the row is not read further.
        if (decode.broken && record.record.some((c) => c.includes('\ufffd'))) {
          record.record.forEach((cell, i) => {
            if (cell.includes('\ufffd')) {
              const column = index ? columnAt(index, i) : undefined;
              addError({ line, ...(column ? { column } : {}), message: undecodable(decode.encoding) });
            }
          });
          if (!index) headerBad = true;
          if (!index || headerBad) return;
          totalRows++;
          return;
        }
        if (!index) {
          const mapped = mapHeader(kind, record.record);
          mapped.errors.forEach(addError);
          headerBad = mapped.errors.length > 0;
          index = mapped.index;
          headerFields = record.record.length;
          return;
        }
        if (headerBad) return;
        totalRows++;
        // A field more or less than the header shifts or loses a value: never guessed, always refused.
        if (record.record.length !== headerFields) {
          addError({
            line,
            message: `полей в строке ${record.record.length}, а в заголовке ${headerFields}: проверьте разделитель и кавычки`,
          });
          return;
        }
        const parsed = parseRow(kind, index, record.record, line);
        // Valid rows are staged even after an error, so duplicates and references are reported too.
        if (parsed.row) await stage.add(line, parsed.row);
        parsed.errors.forEach(addError);
        if (totalRows % chunkRows === 0) options.onProgress?.({ phase: 'reading', rows: totalRows });
      })().then(() => cb(), cb);
    },
  });
  try {
    const { head, rest } = await splitHead(input.pipe(decode));
    delimiter = sniffDelimiter(head.split('\n')[0] ?? '');
    const parser = parse({ delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, bom: true, info: true });
    const text = Readable.from(
      (async function* () {
        if (head) yield head;
        for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
      })(),
    );
    await pipeline(text, parser, consume);
    await stage.flush();
  } catch (e) {
    addError(unreadable(e));
  }
  await stage.flush().catch(() => undefined);
  if (index === null && errorCount === 0) addError({ line: 1, message: 'файл пуст: нет строки заголовка' });
  else if (totalRows === 0 && errorCount === 0) addError({ line: 2, message: 'в файле нет строк с данными' });

  if (index !== null && !headerBad) {
    options.onProgress?.({ phase: 'checking', rows: totalRows });
    for (const e of await checkStaged(db, kind, importId)) addError(e);
  }
  let changedRows = 0;
  let closedRows = 0;
  const asOf = kind === 'charges' ? (options.asOfFeedPosition ?? (await defaultAsOf(db))) : null;
  const read = { encoding: decode.encoding, delimiter, as_of: asOf };
  if (errorCount === 0) {
    await db
      .updateTable('imports')
      .set({ status: 'applying', total_rows: totalRows, ...read })
      .where('id', '=', importId)
      .execute();
    const bounds = await sql<{
      lo: number;
      hi: number;
    }>`SELECT min(line) AS lo, max(line) AS hi FROM ${sql.table(STAGING[kind])} WHERE import_id = ${importId}`.execute(db);
    const lo = Number(bounds.rows[0]?.lo ?? 0);
    const hi = Number(bounds.rows[0]?.hi ?? -1);
    let done = 0;
    const span = chunkRows * 5;
    for (let from = lo; from <= hi; from += span) {
      const to = Math.min(from + span - 1, hi);
      changedRows += await applyChunk(
        db,
        kind,
        importId,
        from,
        to,
        asOf ?? 0,
        new Set((index as Map<string, number> | null)?.keys() ?? []),
      );
      done = Math.min(totalRows, done + span);
      options.onProgress?.({ phase: 'applying', rows: done, total: totalRows });
      await db.updateTable('imports').set({ processed_rows: done, changed_rows: changedRows }).where('id', '=', importId).execute();
    }
    if (mode === 'snapshot') closedRows = await closeLeftOut(db, kind, importId);
  }
  errors.sort((a, b) => a.line - b.line);
  await sql`DELETE FROM ${sql.table(STAGING[kind])} WHERE import_id = ${importId}`.execute(db);
  const status = errorCount === 0 ? 'done' : 'failed';
  await db
    .updateTable('imports')
    .set({
      status,
      total_rows: totalRows,
      processed_rows: status === 'done' ? totalRows : 0,
      changed_rows: changedRows,
      closed_rows: closedRows,
      error_count: errorCount,
      errors: JSON.stringify(errors),
      finished_at: new Date(),
      ...read,
    })
    .where('id', '=', importId)
    .execute();
  return (await readImport(db, importId)) as ImportReport;
}

/** The column a header position names, as the report names columns (the layout's name, not the alias). */
function columnAt(index: Map<string, number>, position: number): string | undefined {
  for (const [name, i] of index) if (i === position) return name;
  return undefined;
}

/** Snapshot: what the accounts named in the file have but the file does not, is closed. */
async function closeLeftOut(db: Database, kind: ImportKind, importId: string): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await lockStamping(trx);
    if (kind === 'charges') {
      const r = await sql`
        UPDATE charges c SET due_kop = 0, penalty_kop = 0, version = nextval('ref_version')
        WHERE c.account_number IN (SELECT DISTINCT account_number FROM staging_charges WHERE import_id = ${importId})
          AND NOT EXISTS (SELECT 1 FROM staging_charges s WHERE s.import_id = ${importId} AND s.account_number = c.account_number AND s.service_code = c.service_code AND s.period = c.period)
          AND (c.due_kop <> 0 OR c.penalty_kop <> 0)`.execute(trx);
      return Number(r.numAffectedRows ?? 0);
    }
    if (kind === 'meters') {
      const r = await sql`
        UPDATE meters m SET active = false, version = nextval('ref_version')
        WHERE m.account_number IN (SELECT DISTINCT account_number FROM staging_meters WHERE import_id = ${importId})
          AND NOT EXISTS (SELECT 1 FROM staging_meters s WHERE s.import_id = ${importId} AND s.account_number = m.account_number AND s.serial = m.serial)
          AND m.active`.execute(trx);
      return Number(r.numAffectedRows ?? 0);
    }
    return 0;
  });
}

/** csv-parse's own errors, said in Russian at the line where the reader stopped. */
const CSV_ERRORS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'кавычка открыта и не закрыта до конца файла',
  CSV_INVALID_CLOSING_QUOTE: 'после закрывающей кавычки идёт не разделитель',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'после закрывающей кавычки идёт не разделитель',
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'число полей не совпадает с заголовком',
  CSV_MAX_RECORD_SIZE: 'строка слишком длинная',
};

function unreadable(e: unknown): RowError {
  const err = e as { code?: string; lines?: number; message?: string };
  const what = (err.code && CSV_ERRORS[err.code]) ?? 'файл не читается как CSV';
  return { line: typeof err.lines === 'number' && err.lines > 0 ? err.lines : 1, message: what };
}

/** By default the billing's figures include every payment it has acknowledged from the feed. */
async function defaultAsOf(db: Database): Promise<number> {
  const ack = await db.selectFrom('feed_acks').select('position').where('consumer', '=', 'billing').executeTakeFirst();
  if (ack) return ack.position;
  const last = await db
    .selectFrom('billing_feed')
    .select((eb) => eb.fn.max('position').as('p'))
    .executeTakeFirst();
  return Number(last?.p ?? 0);
}
