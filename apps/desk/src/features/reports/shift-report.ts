/**
 * The shift report: what the desk's journal says the shift took — by block, service and supplier,
 * provider, contract service, payment method — with reversals, cash moves and cash-ups, the cash
 * expected in the drawer, and the register's own counters set beside the journal's with every
 * difference explained. Built from the journal's finished operations and their sync bodies.
 */
import { AppError, type OpBody, type ShiftTotals } from '@paydesk/protocol';
import type { DeskDeps } from '../../deps.ts';
import { FiscalState, SyncState } from '../journal/lifecycle.ts';
import { carriedOver, journalTotals } from '../shift/shift.ts';
import { shiftSettlement, type SettlementView } from '../card/settlement.ts';

export type Block = 'billing' | 'thirdparty' | 'service';

export interface ShiftReport {
  shiftNumber: number;
  state: 'open' | 'closed';
  openedAt: string | null;
  closedAt: string | null;
  deskName: string;
  place: string | null;
  cashiers: string[];
  generatedAt: string;
  blocks: {
    key: Block;
    name: string;
    count: number;
    sumKop: number;
    commissionKop: number;
    reversedCount: number;
    reversedKop: number;
    netKop: number;
  }[];
  byMethod: { method: 'cash' | 'card'; name: string; count: number; sumKop: number; returnsKop: number; netKop: number }[];
  bySupplier: { name: string; inn: string; count: number; amountKop: number; penaltyKop: number; commissionKop: number }[];
  byService: { code: string; name: string; count: number; amountKop: number; penaltyKop: number }[];
  byProvider: {
    code: string;
    name: string;
    count: number;
    amountKop: number;
    commissionKop: number;
    confirmed: number;
    failed: number;
    pending: number;
  }[];
  byPriceItem: { code: string; name: string; quantity: number; amountKop: number }[];
  commissionKop: number;
  reversals: {
    count: number;
    sumKop: number;
    items: {
      number: string | null;
      originalNumber: string | null;
      block: Block | null;
      amountKop: number;
      method: string;
      reason: string;
      cashierName: string;
      at: string;
    }[];
  };
  cash: {
    carriedKop: number;
    openingFloatKop: number;
    cashInKop: number;
    cashOutKop: number;
    salesCashKop: number;
    returnsCashKop: number;
    expectedDrawerKop: number;
    counts: { at: string; countedKop: number; expectedKop: number; differenceKop: number; cashierName: string }[];
  };
  readingsCount: number;
  /** Payments whose receipt the ОФД also sent to the payer's phone or e-mail (tag 1008). */
  electronicReceipts: number;
  /** Of those, sent electronically only (no paper), where the point allows it. */
  paperlessReceipts: number;
  /** Correction receipts (чеки коррекции) of the shift: counted in the totals as the register counts them. */
  corrections: { count: number; incomeKop: number; returnKop: number };
  /** The card terminal's settlement of the shift beside the desk's card journal; null when none was run. */
  cardSettlement: SettlementView | null;
  journal: ShiftTotals;
  register: ShiftTotals | null;
  registerSource: 'live' | 'z_report' | 'unavailable';
  differences: { field: string; label: string; journal: number; register: number; money: boolean; explanation: string }[];
  pendingCount: number;
  sync: { unsent: number; rejected: number };
}

export const BLOCK_NAMES: Record<Block, string> = { billing: 'Платежи ЖКУ', thirdparty: 'Платежи третьим лицам', service: 'Услуги пункта' };

interface OpRow {
  op_id: string;
  kind: string;
  number: string | null;
  state: string;
  request: string;
  result: string | null;
  cashier_name: string;
  total_kop: number | null;
  commission_kop: number | null;
  method: string | null;
  provider_code: string | null;
  original_op_id: string | null;
  created_at: string;
  body: string | null;
  sync_state: string | null;
  fwd: string | null;
}

/** The shift to report when none is asked for: the open one, else the last one the journal knows. */
export async function defaultShift(deps: DeskDeps): Promise<number> {
  const status = (await deps.registerStatus.refresh()) ?? deps.registerStatus.get();
  if (status?.shift.number && status.shift.state !== 'closed') return status.shift.number;
  const last = deps.db.prepare('SELECT MAX(shift_number) AS n FROM operations WHERE state = ?').get(FiscalState.done) as {
    n: number | null;
  };
  if (last.n === null) throw new AppError('not_found', 'На этой кассе ещё не было смен');
  return last.n;
}

function bump<K, V>(map: Map<K, V>, key: K, init: () => V, update: (v: V) => void): void {
  let v = map.get(key);
  if (!v) {
    v = init();
    map.set(key, v);
  }
  update(v);
}

export async function buildShiftReport(deps: DeskDeps, shiftNumber: number): Promise<ShiftReport> {
  const rows = deps.db
    .prepare(
      `SELECT o.op_id, o.kind, o.number, o.state, o.request, o.result, o.cashier_name, o.total_kop, o.commission_kop, o.method, o.provider_code, o.original_op_id, o.created_at,
              x.body, x.sync_state, w.state AS fwd
       FROM operations o LEFT JOIN ops x ON x.seq = o.seq LEFT JOIN forwarding w ON w.op_id = o.op_id
       WHERE o.shift_number = ? OR (o.kind = 'shift_open' AND json_extract(o.result, '$.shiftNumber') = ?)
       ORDER BY o.created_at`,
    )
    .all(shiftNumber, shiftNumber) as OpRow[];
  if (rows.length === 0) throw new AppError('not_found', `Смена № ${shiftNumber} на этой кассе не найдена`);
  const done = rows.filter((r) => r.state === FiscalState.done);
  const byId = new Map(rows.map((r) => [r.op_id, r]));

  const open = done.find((r) => r.kind === 'shift_open');
  const close = done.find((r) => r.kind === 'shift_close');
  const openedAt = open ? ((JSON.parse(open.result ?? '{}') as { at?: string }).at ?? open.created_at) : null;
  const closedAt = close ? ((JSON.parse(close.result ?? '{}') as { at?: string }).at ?? close.created_at) : null;
  const floatOpId = open ? (JSON.parse(open.request) as { floatOpId?: string }).floatOpId : undefined;

  const serviceName = deps.db.prepare(
    'SELECT s.name, p.name AS supplier, p.inn FROM services s LEFT JOIN suppliers p ON p.id = s.supplier_id WHERE s.code = ?',
  );
  const providerName = deps.db.prepare('SELECT data FROM providers WHERE code = ?');

  const blocks = new Map<Block, ShiftReport['blocks'][number]>();
  const methods = new Map<'cash' | 'card', ShiftReport['byMethod'][number]>();
  const suppliers = new Map<string, ShiftReport['bySupplier'][number]>();
  const services = new Map<string, ShiftReport['byService'][number]>();
  const providers = new Map<string, ShiftReport['byProvider'][number]>();
  const priceItems = new Map<string, ShiftReport['byPriceItem'][number]>();
  const reversals: ShiftReport['reversals']['items'] = [];
  const counts: ShiftReport['cash']['counts'] = [];
  let commissionKop = 0;
  let cashInKop = 0;
  let cashOutKop = 0;
  let openingFloatKop = 0;

  let electronicReceipts = 0;
  let paperlessReceipts = 0;
  const corrections: ShiftReport['corrections'] = { count: 0, incomeKop: 0, returnKop: 0 };
  for (const r of done) {
    const total = r.total_kop ?? 0;
    const method = r.method === 'card' ? 'card' : 'cash';
    if (r.kind === 'correction' || r.kind === 'correction_return') {
      corrections.count++;
      if (r.kind === 'correction') corrections.incomeKop += total;
      else corrections.returnKop += total;
    }
    if (r.kind === 'billing' || r.kind === 'thirdparty' || r.kind === 'service') {
      const block = r.kind;
      bump(
        blocks,
        block,
        () => ({
          key: block,
          name: BLOCK_NAMES[block],
          count: 0,
          sumKop: 0,
          commissionKop: 0,
          reversedCount: 0,
          reversedKop: 0,
          netKop: 0,
        }),
        (b) => {
          b.count++;
          b.sumKop += total;
          b.commissionKop += r.commission_kop ?? 0;
        },
      );
      bump(
        methods,
        method,
        () => ({ method, name: method === 'card' ? 'Картой' : 'Наличными', count: 0, sumKop: 0, returnsKop: 0, netKop: 0 }),
        (m) => {
          m.count++;
          m.sumKop += total;
        },
      );
      commissionKop += r.commission_kop ?? 0;
      const asked = r.request ? (JSON.parse(r.request) as { customerContact?: string; paperless?: boolean }) : {};
      if (asked.customerContact) electronicReceipts++;
      if (asked.paperless) paperlessReceipts++;
      if (r.kind === 'billing' && r.body) {
        const body = JSON.parse(r.body) as OpBody<'payment.accepted'>;
        for (const line of body.lines) {
          const s = serviceName.get(line.serviceCode) as { name: string; supplier: string | null; inn: string | null } | undefined;
          bump(
            services,
            line.serviceCode,
            () => ({ code: line.serviceCode, name: s?.name ?? line.serviceCode, count: 0, amountKop: 0, penaltyKop: 0 }),
            (x) => {
              x.count++;
              x.amountKop += line.amountKop;
              x.penaltyKop += line.penaltyKop;
            },
          );
          const supplierKey = s?.inn ?? `?${line.serviceCode}`;
          bump(
            suppliers,
            supplierKey,
            () => ({
              name: s?.supplier ?? 'Поставщик не найден',
              inn: s?.inn ?? '',
              count: 0,
              amountKop: 0,
              penaltyKop: 0,
              commissionKop: 0,
            }),
            (x) => {
              x.count++;
              x.amountKop += line.amountKop;
              x.penaltyKop += line.penaltyKop;
              x.commissionKop += line.commissionKop ?? 0;
            },
          );
        }
      } else if (r.kind === 'thirdparty' && r.body) {
        const body = JSON.parse(r.body) as OpBody<'thirdparty.accepted'>;
        const p = providerName.get(body.providerCode) as { data: string } | undefined;
        const name = p ? (JSON.parse(p.data) as { name: string }).name : body.providerCode;
        bump(
          providers,
          body.providerCode,
          () => ({ code: body.providerCode, name, count: 0, amountKop: 0, commissionKop: 0, confirmed: 0, failed: 0, pending: 0 }),
          (x) => {
            x.count++;
            x.amountKop += body.amountKop;
            x.commissionKop += body.commissionKop;
            if (r.fwd === 'confirmed') x.confirmed++;
            else if (r.fwd === 'failed') x.failed++;
            else x.pending++;
          },
        );
      } else if (r.kind === 'service' && r.body) {
        const body = JSON.parse(r.body) as OpBody<'service.sold'>;
        for (const item of body.items) {
          bump(
            priceItems,
            item.code,
            () => ({ code: item.code, name: item.name, quantity: 0, amountKop: 0 }),
            (x) => {
              x.quantity += item.quantity;
              x.amountKop += item.amountKop;
            },
          );
        }
      }
    } else if (r.kind === 'reversal') {
      const original = r.original_op_id
        ? (byId.get(r.original_op_id) ??
          (deps.db.prepare('SELECT kind, number FROM operations WHERE op_id = ?').get(r.original_op_id) as
            Pick<OpRow, 'kind' | 'number'> | undefined))
        : undefined;
      const block =
        original && (original.kind === 'billing' || original.kind === 'thirdparty' || original.kind === 'service') ? original.kind : null;
      const body = r.body ? (JSON.parse(r.body) as OpBody<'payment.reversed'>) : null;
      reversals.push({
        number: r.number,
        originalNumber: original?.number ?? null,
        block,
        amountKop: total,
        method,
        reason: body?.reason ?? '',
        cashierName: r.cashier_name,
        at: r.created_at,
      });
      if (block) {
        bump(
          blocks,
          block,
          () => ({
            key: block,
            name: BLOCK_NAMES[block],
            count: 0,
            sumKop: 0,
            commissionKop: 0,
            reversedCount: 0,
            reversedKop: 0,
            netKop: 0,
          }),
          (b) => {
            b.reversedCount++;
            b.reversedKop += total;
          },
        );
      }
      bump(
        methods,
        method,
        () => ({ method, name: method === 'card' ? 'Картой' : 'Наличными', count: 0, sumKop: 0, returnsKop: 0, netKop: 0 }),
        (m) => {
          m.returnsKop += total;
        },
      );
    } else if (r.kind === 'cash_in') {
      if (r.op_id === floatOpId) openingFloatKop += total;
      else cashInKop += total;
    } else if (r.kind === 'cash_out') cashOutKop += total;
    else if (r.kind === 'cash_count') {
      const c = JSON.parse(r.request) as { countedKop: number; expectedKop: number; differenceKop: number };
      counts.push({
        at: r.created_at,
        countedKop: c.countedKop,
        expectedKop: c.expectedKop,
        differenceKop: c.differenceKop,
        cashierName: r.cashier_name,
      });
    }
  }
  for (const b of blocks.values()) b.netKop = b.sumKop - b.reversedKop;
  for (const m of methods.values()) m.netKop = m.sumKop - m.returnsKop;

  const journal = journalTotals(deps, shiftNumber);
  const { register, source } = await registerTotals(deps, shiftNumber, close);
  const pendingCount = rows.filter((r) => r.state === FiscalState.pending).length;
  const readingsCount = (
    deps.db
      .prepare(
        `SELECT COUNT(*) AS n FROM operations WHERE kind = 'reading' AND state = '${FiscalState.done}' AND created_at >= ? AND created_at < ?`,
      )
      .get(openedAt ? new Date(openedAt).toISOString() : '', closedAt ? new Date(closedAt).toISOString() : '9999') as { n: number }
  ).n;
  const order = <T extends { name: string }>(list: Iterable<T>): T[] => [...list].sort((a, b) => a.name.localeCompare(b.name, 'ru'));

  return {
    shiftNumber,
    state: close ? 'closed' : 'open',
    openedAt,
    closedAt,
    deskName: deps.identity.current()?.name ?? 'Касса',
    place: deps.settings.get('settlementAddress') ?? null,
    cashiers: [...new Set(done.map((r) => r.cashier_name))],
    generatedAt: deps.clock().toISOString(),
    blocks: (['billing', 'thirdparty', 'service'] as const).flatMap((k) => (blocks.get(k) ? [blocks.get(k)!] : [])),
    byMethod: (['cash', 'card'] as const).flatMap((k) => (methods.get(k) ? [methods.get(k)!] : [])),
    bySupplier: order(suppliers.values()),
    byService: order(services.values()),
    byProvider: order(providers.values()),
    byPriceItem: order(priceItems.values()),
    commissionKop,
    reversals: { count: reversals.length, sumKop: reversals.reduce((s, r) => s + r.amountKop, 0), items: reversals },
    cash: {
      carriedKop: carriedOver(deps, shiftNumber),
      openingFloatKop,
      cashInKop,
      cashOutKop,
      salesCashKop: journal.sales.cashKop,
      returnsCashKop: journal.returns.cashKop,
      expectedDrawerKop: journal.drawerKop,
      counts,
    },
    readingsCount,
    electronicReceipts,
    paperlessReceipts,
    corrections,
    cardSettlement: shiftSettlement(deps, shiftNumber),
    journal,
    register,
    registerSource: source,
    differences: register ? explainDifferences(journal, register, pendingCount) : [],
    pendingCount,
    sync: {
      unsent: (
        deps.db
          .prepare(
            `SELECT COUNT(*) AS n FROM operations o JOIN ops x ON x.seq = o.seq WHERE o.shift_number = ? AND x.sync_state = '${SyncState.pending}'`,
          )
          .get(shiftNumber) as { n: number }
      ).n,
      rejected: (
        deps.db
          .prepare(
            `SELECT COUNT(*) AS n FROM operations o JOIN ops x ON x.seq = o.seq WHERE o.shift_number = ? AND x.sync_state = '${SyncState.rejected}'`,
          )
          .get(shiftNumber) as { n: number }
      ).n,
    },
  };
}

/** The register's counters: live for the open shift, from the Z report for a closed one. */
async function registerTotals(
  deps: DeskDeps,
  shiftNumber: number,
  close: OpRow | undefined,
): Promise<{ register: ShiftTotals | null; source: ShiftReport['registerSource'] }> {
  const strip = (t: ShiftTotals & { shiftNumber?: number }): ShiftTotals => ({
    sales: t.sales,
    returns: t.returns,
    cashInKop: t.cashInKop,
    cashOutKop: t.cashOutKop,
    drawerKop: t.drawerKop,
  });
  if (close) {
    const z = (JSON.parse(close.result ?? '{}') as { totals?: ShiftTotals | null }).totals;
    return z ? { register: strip(z), source: 'z_report' } : { register: null, source: 'unavailable' };
  }
  try {
    const live = await deps.runner.direct((r) => r.shiftTotals());
    if (live && live.shiftNumber === shiftNumber) return { register: strip(live), source: 'live' };
  } catch (e) {
    deps.log.warn({ err: e }, 'register totals unavailable for the shift report');
  }
  return { register: null, source: 'unavailable' };
}

const FIELDS: { field: string; label: string; money: boolean; get: (t: ShiftTotals) => number }[] = [
  { field: 'sales.count', label: 'Чеков прихода', money: false, get: (t) => t.sales.count },
  { field: 'sales.cashKop', label: 'Приход наличными', money: true, get: (t) => t.sales.cashKop },
  { field: 'sales.cardKop', label: 'Приход картой', money: true, get: (t) => t.sales.cardKop },
  { field: 'returns.count', label: 'Чеков возврата', money: false, get: (t) => t.returns.count },
  { field: 'returns.cashKop', label: 'Возврат наличными', money: true, get: (t) => t.returns.cashKop },
  { field: 'returns.cardKop', label: 'Возврат картой', money: true, get: (t) => t.returns.cardKop },
  { field: 'cashInKop', label: 'Внесения', money: true, get: (t) => t.cashInKop },
  { field: 'cashOutKop', label: 'Выплаты', money: true, get: (t) => t.cashOutKop },
  { field: 'drawerKop', label: 'Наличных в ящике', money: true, get: (t) => t.drawerKop },
];

/** Each counter where the register and the journal disagree, with what most likely caused it. */
export function explainDifferences(journal: ShiftTotals, register: ShiftTotals, pendingCount: number): ShiftReport['differences'] {
  const out: ShiftReport['differences'] = [];
  for (const f of FIELDS) {
    const j = f.get(journal);
    const r = f.get(register);
    if (j === r) continue;
    let explanation: string;
    if (pendingCount > 0)
      explanation = `В журнале ${pendingCount} незавершённых операций: проверьте их в меню ККТ → «Сверить с ККТ», после сверки отчёт пересчитается.`;
    else if (r > j)
      explanation =
        'На ККТ больше, чем в журнале: вероятно, документ пробит на кассе не через Paydesk (вручную или другой программой). Найдите его на ленте ККТ и оформите в журнале.';
    else
      explanation =
        'В журнале больше, чем на ККТ: операция записана как проведённая, но ККТ её не учла (другая смена или сбой ККТ). Сверьте ленту ККТ с журналом.';
    out.push({ field: f.field, label: f.label, journal: j, register: r, money: f.money, explanation });
  }
  return out;
}
