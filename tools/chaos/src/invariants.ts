/**
 * After the storm: what every desk's journal, every register, the server's database and the
 * provider's ledger say, set side by side. Each invariant counts what it checked and lists what broke.
 */
import pg from 'pg';
import type { Stack } from './stack.ts';
import type { LedgerEntry } from './workload.ts';

export interface Check {
  name: string;
  checked: number;
  failures: string[];
}

interface JournalItem {
  operationId: string;
  kind: string;
  state: string;
  totalKop: number | null;
  method: string | null;
  shiftNumber: number | null;
  originalOperationId: string | null;
  sync: { state: string } | null;
}

interface Receipt {
  operationId: string | null;
  kind: 'sale' | 'sale_return';
  totalKop: number;
}

interface Totals {
  sales: { count: number; cashKop: number; cardKop: number };
  returns: { count: number; cashKop: number; cardKop: number };
  cashInKop: number;
  cashOutKop: number;
  drawerKop: number;
}

const PAYMENT_KINDS = new Set(['billing', 'thirdparty', 'service']);
const FISCAL_KINDS = new Set(['billing', 'thirdparty', 'service', 'reversal']);
/** Review codes the run causes on purpose: a provider refusing an account, a provider failing long. */
const INJECTED_REVIEW = new Set(['forwarding.failed', 'forwarding.stuck']);

async function get<T>(url: string, token: string | null): Promise<T> {
  const r = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(30_000) });
  if (!r.ok) throw new Error(`${url} → ${r.status}: ${await r.text()}`);
  return (await r.json()) as T;
}

async function deskToken(url: string): Promise<string> {
  const r = await fetch(`${url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'cashier', password: 'demo' }) });
  return ((await r.json()) as { token: string }).token;
}

async function journalOf(url: string, token: string): Promise<JournalItem[]> {
  const out: JournalItem[] = [];
  for (let offset = 0; ; offset += 500) {
    const page = await get<{ items: JournalItem[]; total: number }>(`${url}/api/payments?limit=500&offset=${offset}`, token);
    out.push(...page.items);
    if (out.length >= page.total || page.items.length === 0) return out;
  }
}

export async function checkInvariants(stack: Stack, ledger: Map<string, LedgerEntry>): Promise<Check[]> {
  const checks: Check[] = [];
  const check = (name: string): Check => {
    const c = { name, checked: 0, failures: [] };
    checks.push(c);
    return c;
  };
  const db = new pg.Client({ connectionString: stack.dbUrl });
  await db.connect();
  try {
    const deskIds = new Map((await db.query<{ id: string; name: string }>('SELECT id, name FROM desks')).rows.map((r) => [r.name, r.id]));
    const serverPayments = new Map((await db.query<{ op_id: string; desk_id: string; kind: string; total_kop: string; shift_number: number; method: string; state: string }>('SELECT op_id, desk_id, kind, total_kop, shift_number, method, state FROM payments')).rows.map((r) => [r.op_id, r]));
    const serverReversals = new Map((await db.query<{ op_id: string; original_op_id: string; amount_kop: string; desk_id: string; shift_number: number; method: string }>('SELECT op_id, original_op_id, amount_kop, desk_id, shift_number, method FROM reversals')).rows.map((r) => [r.op_id, r]));

    const accepted = check('каждая операция, которую касса приняла (2xx), проведена в её журнале');
    const unknown = check('у каждой операции есть ответ кассы (нет операций с неизвестным исходом)');
    const pending = check('в журналах нет незавершённых операций (fiscal_pending)');
    const onServer = check('каждый проведённый платёж и сторно есть на сервере ровно один раз с той же суммой');
    const noStrangers = check('на сервере нет платежей, которых нет в журнале кассы');
    const receipts = check('у каждой фискальной операции ровно один чек, каждый чек принадлежит операции');
    const shiftSums = check('суммы каждой смены сходятся: журнал = ККТ = сервер, до копейки');
    const queues = check('всё отправлено: у касс нет неотправленных и отклонённых операций');
    let journalTotal = 0;

    for (const desk of stack.desks) {
      const token = await deskToken(desk.url);
      const journal = await journalOf(desk.url, token);
      const byId = new Map(journal.map((j) => [j.operationId, j]));
      const regReceipts = (await get<{ items: Receipt[] }>(`${desk.url}/api/test/receipts`, token)).items;
      const status = await get<{ unsentCount: number; rejectedCount: number }>(`${desk.url}/api/status`, null);
      const deskId = deskIds.get(desk.name);

      for (const e of ledger.values()) {
        if (e.desk !== desk.index) continue;
        unknown.checked++;
        if (e.outcome === 'unknown') unknown.failures.push(`${desk.name}: ${e.kind} ${e.opId} остался без ответа`);
        if (e.outcome !== 'accepted') continue;
        accepted.checked++;
        const j = byId.get(e.opId);
        if (!j || j.state !== 'done') accepted.failures.push(`${desk.name}: ${e.kind} ${e.opId} принят, но в журнале ${j ? j.state : 'его нет'}`);
      }
      for (const j of journal) {
        pending.checked++;
        if (j.state === 'fiscal_pending') pending.failures.push(`${desk.name}: ${j.kind} ${j.operationId} не завершён`);
      }

      const done = journal.filter((j) => j.state === 'done');
      for (const j of done) {
        if (PAYMENT_KINDS.has(j.kind)) {
          onServer.checked++;
          journalTotal += j.totalKop ?? 0;
          const p = serverPayments.get(j.operationId);
          if (!p) onServer.failures.push(`${desk.name}: платёж ${j.operationId} не дошёл до сервера`);
          else if (Number(p.total_kop) !== j.totalKop || p.desk_id !== deskId) onServer.failures.push(`${desk.name}: платёж ${j.operationId} на сервере ${p.total_kop}, в журнале ${j.totalKop}`);
        } else if (j.kind === 'reversal') {
          onServer.checked++;
          const r = serverReversals.get(j.operationId);
          if (!r || Number(r.amount_kop) !== j.totalKop) onServer.failures.push(`${desk.name}: сторно ${j.operationId} на сервере ${r ? r.amount_kop : 'нет'}, в журнале ${j.totalKop}`);
          else if (serverPayments.get(r.original_op_id)?.state !== 'reversed') onServer.failures.push(`${desk.name}: платёж ${r.original_op_id} сторнирован на кассе, на сервере — нет`);
        }
      }
      for (const [opId, p] of serverPayments) {
        if (p.desk_id !== deskId) continue;
        noStrangers.checked++;
        if (byId.get(opId)?.state !== 'done') noStrangers.failures.push(`${desk.name}: на сервере платёж ${opId}, в журнале ${byId.get(opId)?.state ?? 'его нет'}`);
      }

      const receiptsByOp = new Map<string, Receipt[]>();
      for (const r of regReceipts) {
        receipts.checked++;
        const list = receiptsByOp.get(r.operationId ?? '') ?? [];
        list.push(r);
        receiptsByOp.set(r.operationId ?? '', list);
        const j = r.operationId ? byId.get(r.operationId) : undefined;
        if (!j || j.state !== 'done' || !FISCAL_KINDS.has(j.kind)) receipts.failures.push(`${desk.name}: чек на ${r.totalKop} коп. (${r.operationId ?? 'без операции'}) не принадлежит проведённой операции`);
      }
      for (const j of journal.filter((x) => FISCAL_KINDS.has(x.kind))) {
        receipts.checked++;
        const n = receiptsByOp.get(j.operationId)?.length ?? 0;
        if (j.state === 'done' && n !== 1) receipts.failures.push(`${desk.name}: у ${j.kind} ${j.operationId} чеков: ${n}`);
        if (j.state === 'failed' && n !== 0) receipts.failures.push(`${desk.name}: у неудавшейся операции ${j.operationId} есть чек`);
      }

      const shifts = [...new Set(journal.map((j) => j.shiftNumber).filter((n): n is number => n !== null))];
      for (const shift of shifts) {
        shiftSums.checked++;
        const report = await get<{ journal: Totals; register: Totals | null; differences: { label: string }[] }>(`${desk.url}/api/reports/shift?shift=${shift}`, token);
        if (!report.register) shiftSums.failures.push(`${desk.name}, смена ${shift}: ККТ не дала итогов`);
        else if (report.differences.length > 0) shiftSums.failures.push(`${desk.name}, смена ${shift}: журнал и ККТ расходятся: ${report.differences.map((d) => d.label).join(', ')}`);
        const server = { cash: 0, card: 0, returnsCash: 0, returnsCard: 0 };
        for (const p of serverPayments.values()) if (p.desk_id === deskId && p.shift_number === shift) server[p.method === 'card' ? 'card' : 'cash'] += Number(p.total_kop);
        for (const r of serverReversals.values()) if (r.desk_id === deskId && r.shift_number === shift) server[r.method === 'card' ? 'returnsCard' : 'returnsCash'] += Number(r.amount_kop);
        const t = report.journal;
        if (server.cash !== t.sales.cashKop || server.card !== t.sales.cardKop || server.returnsCash !== t.returns.cashKop || server.returnsCard !== t.returns.cardKop) {
          shiftSums.failures.push(`${desk.name}, смена ${shift}: сервер ${JSON.stringify(server)}, журнал ${JSON.stringify({ cash: t.sales.cashKop, card: t.sales.cardKop, returnsCash: t.returns.cashKop, returnsCard: t.returns.cardKop })}`);
        }
      }
      queues.checked++;
      if (status.unsentCount !== 0 || status.rejectedCount !== 0) queues.failures.push(`${desk.name}: не отправлено ${status.unsentCount}, отклонено ${status.rejectedCount}`);
    }

    const total = check('итог по всем кассам: журналы = сервер');
    total.checked = 1;
    const serverTotal = [...serverPayments.values()].reduce((s, p) => s + Number(p.total_kop), 0);
    if (serverTotal !== journalTotal) total.failures.push(`журналы ${journalTotal}, сервер ${serverTotal}`);

    // The provider: each forwarded payment credited once, nothing credited that we do not know.
    const forwarding = check('каждый платёж третьим лицам зачислен поставщиком ровно один раз или отклонён им');
    const fwd = (await db.query<{ op_id: string; state: string; txn_id: string; amount_kop: string; account: string; prv_txn: string | null; provider_code: string }>('SELECT op_id, state, txn_id, amount_kop, account, prv_txn, provider_code FROM forwardings')).rows;
    const credited = stack.sim.ledger();
    const byTxn = new Map<string, typeof credited>();
    for (const l of credited) byTxn.set(`${l.provider}:${l.txnId}`, [...(byTxn.get(`${l.provider}:${l.txnId}`) ?? []), l]);
    for (const f of fwd) {
      forwarding.checked++;
      const entries = byTxn.get(`${f.provider_code}:${f.txn_id}`) ?? [];
      if (f.state === 'queued' || f.state === 'sent') forwarding.failures.push(`платёж ${f.op_id} всё ещё передаётся (${f.state})`);
      else if (f.state === 'confirmed' && (entries.length !== 1 || entries[0]?.sumKop !== Number(f.amount_kop) || entries[0]?.account !== f.account || entries[0]?.prvTxn !== f.prv_txn)) forwarding.failures.push(`платёж ${f.op_id}: у поставщика записей ${entries.length}`);
      else if (f.state === 'failed' && entries.length !== 0) forwarding.failures.push(`платёж ${f.op_id} отклонён, но поставщик зачислил его`);
    }
    const known = new Set(fwd.map((f) => `${f.provider_code}:${f.txn_id}`));
    for (const l of credited) {
      forwarding.checked++;
      if (!known.has(`${l.provider}:${l.txnId}`)) forwarding.failures.push(`поставщик зачислил неизвестный txn_id ${l.txnId}`);
    }

    // The review queue holds exactly the anomalies this run caused.
    const review = check('в очереди разбора ровно внесённые аномалии');
    const items = (await db.query<{ code: string; op_id: string | null; message: string }>('SELECT code, op_id, message FROM review_items')).rows;
    const fatal = [...ledger.values()].filter((e) => e.fatalAtProvider && e.outcome === 'accepted').map((e) => e.opId);
    // Paying more than the debt the desk showed leaves an advance, which the server queues for review:
    // every such payment must be there, and no other — so the desk's debt and the server's agree.
    const advances = new Set([...ledger.values()].filter((e) => e.aboveDebt && e.outcome === 'accepted').map((e) => e.opId));
    review.checked = items.length + fatal.length + advances.size;
    for (const opId of fatal) if (!items.some((i) => i.code === 'forwarding.failed' && i.op_id === opId)) review.failures.push(`отказ поставщика по ${opId} не попал в разбор`);
    for (const opId of advances) if (!items.some((i) => i.code === 'payment.above_debt' && i.op_id === opId)) review.failures.push(`платёж сверх долга ${opId} не попал в разбор`);
    for (const i of items) {
      const expected = INJECTED_REVIEW.has(i.code) || (i.code === 'payment.above_debt' && advances.has(i.op_id ?? ''));
      if (!expected) {
        const e = i.op_id ? ledger.get(i.op_id) : undefined;
        review.failures.push(`неожиданный пункт разбора ${i.code} (${i.op_id ?? ''}): ${i.message}${e ? `; касса ${e.desk}, отправок ${e.sends}` : ''}`);
      } else if (i.code === 'forwarding.failed' && !fatal.includes(i.op_id ?? '')) review.failures.push(`отказ поставщика по платежу ${i.op_id ?? ''}, который не был отказным`);
    }
  } finally {
    await db.end();
  }
  return checks;
}
