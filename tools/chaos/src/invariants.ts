/**
 * After the storm: what every desk's journal, every register, the server's database, the provider's
 * ledger and the cashiers' own ledger say, set side by side. Each invariant counts what it checked
 * and lists what broke.
 *
 * A journal put back from a copy legitimately lacks what the desk journaled between the copy and the
 * restore — the server has it, and the register printed it. So: every operation a cashier was told
 * was accepted is compared with the server (never dropped, whatever was restored); receipts and
 * shift sums are compared register against server, which are both whole; and a journal is compared
 * with them only where it is whole. Nothing else is relaxed.
 */
import pg from 'pg';
import type { RestoreLog } from './faults.ts';
import type { ReceiptOnDevice, RegisterControl } from './register-control.ts';
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

interface Totals {
  sales: { count: number; cashKop: number; cardKop: number };
  returns: { count: number; cashKop: number; cardKop: number };
  cashInKop: number;
  cashOutKop: number;
  drawerKop: number;
}

/** Money fields of a provider: what a catalog edit of anything else must leave alone. */
export interface ProviderMoney {
  code: string;
  min_kop: string | null;
  max_kop: string | null;
  commission: unknown;
  agent_type: string;
  check_required: boolean;
  offline_allowed: boolean;
  can_cancel: boolean;
}

export interface RunFacts {
  ledger: Map<string, LedgerEntry>;
  restores: RestoreLog;
  /** Answers the cashiers saw break a promise at once (workload.ts). */
  violations: string[];
  providersBefore: ProviderMoney[];
  registers: RegisterControl[];
  /** How many cashier's scenes were played. */
  scenesPlayed: number;
  /** Faults a process must live through, how many were made and what broke (faults.ts). */
  survived: { checked: number; failures: string[] };
}

const PAYMENT_KINDS = new Set(['billing', 'thirdparty', 'service']);
const FISCAL_KINDS = new Set(['billing', 'thirdparty', 'service', 'reversal']);
/** Review codes the run causes on purpose: a provider refusing an account, a provider failing long. */
const INJECTED_REVIEW = new Set(['forwarding.failed', 'forwarding.stuck']);

export async function readProviderMoney(dbUrl: string): Promise<ProviderMoney[]> {
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  try {
    return (
      await db.query<ProviderMoney>(
        'SELECT code, min_kop, max_kop, commission, agent_type, check_required, offline_allowed, can_cancel FROM providers ORDER BY code',
      )
    ).rows;
  } finally {
    await db.end();
  }
}

async function get<T>(url: string, token: string | null): Promise<T> {
  const r = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(30_000) });
  if (!r.ok) throw new Error(`${url} → ${r.status}: ${await r.text()}`);
  return (await r.json()) as T;
}

async function deskToken(url: string): Promise<string> {
  const r = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: 'cashier', password: 'paydesk-demo' }),
  });
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

/** The op id a receipt was filed under; the KKMServer device files a command run twice as `id~2`. */
function receiptOp(r: ReceiptOnDevice): string {
  return (r.operationId ?? '').replace(/~\d+$/, '');
}

export async function checkInvariants(stack: Stack, facts: RunFacts): Promise<Check[]> {
  const { ledger, restores } = facts;
  const checks: Check[] = [];
  const check = (name: string): Check => {
    const c = { name, checked: 0, failures: [] };
    checks.push(c);
    return c;
  };
  // The operation a ledger entry stands for: a reversal answered with another one is that one.
  const target = (e: LedgerEntry): LedgerEntry => (e.answeredAs ? (ledger.get(e.answeredAs) ?? e) : e);
  // Journaled between a copy of its desk's journal and the restore of that copy: the journal may lack it.
  const lostByRestore = (e: LedgerEntry): boolean =>
    restores.journals.some((r) => r.desk === e.desk && (e.answeredAt ?? Infinity) >= r.copyAt && (e.firstSentAt ?? 0) <= r.restoredAt);
  const restoredDesks = new Set(restores.journals.map((r) => r.desk));

  const db = new pg.Client({ connectionString: stack.dbUrl });
  await db.connect();
  try {
    const deskIds = new Map((await db.query<{ id: string; name: string }>('SELECT id, name FROM desks')).rows.map((r) => [r.name, r.id]));
    const serverPayments = new Map(
      (
        await db.query<{
          op_id: string;
          desk_id: string;
          kind: string;
          total_kop: string;
          shift_number: number;
          method: string;
          state: string;
        }>('SELECT op_id, desk_id, kind, total_kop, shift_number, method, state FROM payments')
      ).rows.map((r) => [r.op_id, r]),
    );
    const serverReversals = new Map(
      (
        await db.query<{
          op_id: string;
          original_op_id: string;
          amount_kop: string;
          desk_id: string;
          shift_number: number;
          method: string;
        }>('SELECT op_id, original_op_id, amount_kop, desk_id, shift_number, method FROM reversals')
      ).rows.map((r) => [r.op_id, r]),
    );

    const accepted = check(
      'каждая операция, которую касса приняла (2xx), проведена в её журнале (кроме снятых после копии восстановленного журнала)',
    );
    const unknown = check('у каждой операции есть ответ кассы (нет операций с неизвестным исходом)');
    const pending = check('в журналах нет незавершённых операций (fiscal_pending)');
    const onServer = check('каждый проведённый платёж и сторно есть на сервере ровно один раз с той же суммой');
    const noStrangers = check(
      'на сервере нет платежей, которых нет в журнале кассы (или, после восстановления журнала, у кассира и в ККТ)',
    );
    const receipts = check('у каждой фискальной операции ровно один чек, каждый чек принадлежит одной операции');
    const printed = check('каждый фискализированный чек напечатан');
    const shiftSums = check('суммы каждой смены сходятся: ККТ = сервер, и журнал, где он цел, до копейки');
    const queues = check('всё отправлено: у касс нет неотправленных и отклонённых операций');
    const oneReversal = check('у каждого платежа не больше одного сторно (сервер и каждый журнал)');
    const total = check('итог по всем кассам: ККТ = сервер, журналы = сервер (где журнал цел)');
    const cards = check(
      'карта: каждое списание банка — ровно один чек на ту же сумму, чек по карте — только после списания, возврат по карте — на карту',
    );
    let journalTotal = 0;
    let wholeServerTotal = 0;
    let registerTotal = 0;

    for (const desk of stack.desks) {
      const token = await deskToken(desk.url);
      const journal = await journalOf(desk.url, token);
      const byId = new Map(journal.map((j) => [j.operationId, j]));
      const register = facts.registers[desk.index] as RegisterControl;
      const regReceipts = await register.receipts(token);
      const status = await get<{ unsentCount: number; rejectedCount: number }>(`${desk.url}/api/status`, null);
      const open = await get<{ unresolved: unknown[]; unprinted: { opId?: string; operationId?: string }[] }>(
        `${desk.url}/api/register/unresolved`,
        token,
      );
      const deskId = deskIds.get(desk.name);
      const restored = restoredDesks.has(desk.index);
      const deskPayments = [...serverPayments.values()].filter((p) => p.desk_id === deskId);
      const deskReversals = [...serverReversals.values()].filter((r) => r.desk_id === deskId);

      for (const e of ledger.values()) {
        if (e.desk !== desk.index) continue;
        unknown.checked++;
        if (e.outcome === 'unknown')
          unknown.failures.push(`${desk.name}: ${e.kind} ${e.opId} остался без ответа${e.code ? ` (${e.code})` : ''}`);
        if (e.outcome !== 'accepted') continue;
        accepted.checked++;
        const t = target(e);
        const j = byId.get(t.opId);
        if (!j && lostByRestore(t)) continue;
        if (!j || j.state !== 'done')
          accepted.failures.push(`${desk.name}: ${e.kind} ${t.opId} принят, но в журнале ${j ? j.state : 'его нет'}`);
      }
      for (const j of journal) {
        pending.checked++;
        if (j.state === 'fiscal_pending') pending.failures.push(`${desk.name}: ${j.kind} ${j.operationId} не завершён`);
      }

      const done = journal.filter((j) => j.state === 'done');
      for (const j of done) {
        if (PAYMENT_KINDS.has(j.kind)) {
          onServer.checked++;
          const p = serverPayments.get(j.operationId);
          if (!p) onServer.failures.push(`${desk.name}: платёж ${j.operationId} не дошёл до сервера`);
          else if (Number(p.total_kop) !== j.totalKop || p.desk_id !== deskId)
            onServer.failures.push(`${desk.name}: платёж ${j.operationId} на сервере ${p.total_kop}, в журнале ${j.totalKop}`);
        } else if (j.kind === 'reversal') {
          onServer.checked++;
          const r = serverReversals.get(j.operationId);
          if (!r || Number(r.amount_kop) !== j.totalKop)
            onServer.failures.push(`${desk.name}: сторно ${j.operationId} на сервере ${r ? r.amount_kop : 'нет'}, в журнале ${j.totalKop}`);
          else if (serverPayments.get(r.original_op_id)?.state !== 'reversed')
            onServer.failures.push(`${desk.name}: платёж ${r.original_op_id} сторнирован на кассе, на сервере — нет`);
        }
      }
      // What the server holds of this desk that the journal lacks: only what a restored journal lost.
      const missingFromJournal = new Set<string>();
      for (const [what, opId] of [
        ...deskPayments.map((p) => ['платёж', p.op_id] as const),
        ...deskReversals.map((r) => ['сторно', r.op_id] as const),
      ]) {
        noStrangers.checked++;
        const j = byId.get(opId);
        if (j?.state === 'done') continue;
        const e = ledger.get(opId);
        if (!j && restored && e?.outcome === 'accepted' && lostByRestore(e)) {
          missingFromJournal.add(opId);
          continue;
        }
        noStrangers.failures.push(
          `${desk.name}: на сервере ${what} ${opId}, в журнале ${j?.state ?? 'его нет'}${e ? `, у кассира ${e.outcome}` : ', кассир его не принимал'}`,
        );
      }

      // The card terminal's bank against the register: money moved on a card ⇔ a receipt by card for it.
      const moved = new Map<string, number>();
      for (const c of await register.cards(token)) {
        if (!c.moved) continue;
        moved.set(c.opId, (moved.get(c.opId) ?? 0) + c.amountKop);
      }
      const cardReceipts = new Map<string, number>();
      for (const r of regReceipts) {
        if (r.cardKop <= 0) continue;
        const op = receiptOp(r);
        cardReceipts.set(op, (cardReceipts.get(op) ?? 0) + 1);
        cards.checked++;
        const charged = moved.get(op) ?? 0;
        if (charged !== r.cardKop)
          cards.failures.push(
            `${desk.name}: чек ${r.kind === 'sale' ? 'прихода' : 'возврата'} ФД ${r.documentNumber} по карте на ${r.cardKop} коп., а по терминалу ${r.kind === 'sale' ? 'списано' : 'возвращено'} ${charged} (${op})`,
          );
      }
      for (const [op, kop] of moved) {
        cards.checked++;
        const n = cardReceipts.get(op) ?? 0;
        if (n !== 1) cards.failures.push(`${desk.name}: по терминалу ${kop} коп. (${op}), чеков по карте: ${n}`);
      }

      // Receipts: the register against the journal, and against the server for what a restore took from the journal.
      const receiptsByOp = new Map<string, ReceiptOnDevice[]>();
      for (const r of regReceipts) {
        receipts.checked++;
        const op = receiptOp(r);
        receiptsByOp.set(op, [...(receiptsByOp.get(op) ?? []), r]);
        const j = byId.get(op);
        const known = j ? j.state === 'done' && FISCAL_KINDS.has(j.kind) : missingFromJournal.has(op);
        if (!known)
          receipts.failures.push(
            `${desk.name}: чек ФД ${r.documentNumber} на ${r.totalKop} коп. (${r.operationId ?? 'без операции'}) не принадлежит проведённой операции${j ? ` (в журнале ${j.kind} ${j.state})` : ''}`,
          );
      }
      for (const j of journal.filter((x) => FISCAL_KINDS.has(x.kind))) {
        receipts.checked++;
        const n = receiptsByOp.get(j.operationId)?.length ?? 0;
        if (j.state === 'done' && n !== 1) receipts.failures.push(`${desk.name}: у ${j.kind} ${j.operationId} чеков: ${n}`);
        if (j.state === 'failed' && n !== 0)
          receipts.failures.push(`${desk.name}: у неудавшейся операции ${j.kind} ${j.operationId} чеков: ${n}`);
      }
      for (const op of missingFromJournal) {
        receipts.checked++;
        const n = receiptsByOp.get(op)?.length ?? 0;
        if (n !== 1) receipts.failures.push(`${desk.name}: у операции ${op}, которой нет в восстановленном журнале, чеков: ${n}`);
      }

      for (const r of regReceipts) {
        printed.checked++;
        if (!r.printed)
          printed.failures.push(`${desk.name}: чек ФД ${r.documentNumber} (${r.operationId ?? ''}) фискализирован, но не напечатан`);
      }
      printed.checked++;
      if (open.unprinted.length > 0) printed.failures.push(`${desk.name}: журнал ждёт печати чеков: ${open.unprinted.length}`);

      // At most one reversal per payment: the server's and this journal's.
      const journalReversals = new Map<string, string[]>();
      for (const j of done.filter((x) => x.kind === 'reversal' && x.originalOperationId)) {
        journalReversals.set(j.originalOperationId as string, [
          ...(journalReversals.get(j.originalOperationId as string) ?? []),
          j.operationId,
        ]);
      }
      for (const [original, list] of journalReversals) {
        oneReversal.checked++;
        if (list.length > 1) oneReversal.failures.push(`${desk.name}: у платежа ${original} в журнале сторно: ${list.join(', ')}`);
      }

      // Shift sums: the register and the server always (both whole); the journal where it is whole.
      const shifts = [
        ...new Set(
          [
            ...journal.map((j) => j.shiftNumber),
            ...deskPayments.map((p) => p.shift_number),
            ...regReceipts.map((r) => r.shiftNumber),
          ].filter((n): n is number => n !== null && n > 0),
        ),
      ].sort((a, b) => a - b);
      for (const shift of shifts) {
        shiftSums.checked++;
        const server = { cash: 0, card: 0, returnsCash: 0, returnsCard: 0 };
        for (const p of deskPayments) if (p.shift_number === shift) server[p.method === 'card' ? 'card' : 'cash'] += Number(p.total_kop);
        for (const r of deskReversals)
          if (r.shift_number === shift) server[r.method === 'card' ? 'returnsCard' : 'returnsCash'] += Number(r.amount_kop);
        const device = { cash: 0, card: 0, returnsCash: 0, returnsCard: 0 };
        for (const r of regReceipts.filter((x) => x.shiftNumber === shift)) {
          if (r.kind === 'sale') {
            device.cash += r.cashKop;
            device.card += r.cardKop;
          } else {
            device.returnsCash += r.cashKop;
            device.returnsCard += r.cardKop;
          }
        }
        if (JSON.stringify(server) !== JSON.stringify(device))
          shiftSums.failures.push(`${desk.name}, смена ${shift}: сервер ${JSON.stringify(server)}, ККТ ${JSON.stringify(device)}`);
        const whole =
          deskPayments.every((p) => p.shift_number !== shift || byId.get(p.op_id)?.state === 'done') &&
          deskReversals.every((r) => r.shift_number !== shift || byId.get(r.op_id)?.state === 'done');
        if (!whole) continue;
        const report = await get<{ journal: Totals; register: Totals | null; differences: { label: string }[] }>(
          `${desk.url}/api/reports/shift?shift=${shift}`,
          token,
        );
        if (!report.register && !desk.kkm) shiftSums.failures.push(`${desk.name}, смена ${shift}: ККТ не дала итогов`);
        else if (report.register && report.differences.length > 0)
          shiftSums.failures.push(
            `${desk.name}, смена ${shift}: журнал и ККТ расходятся: ${report.differences.map((d) => d.label).join(', ')}`,
          );
        const t = report.journal;
        if (
          server.cash !== t.sales.cashKop ||
          server.card !== t.sales.cardKop ||
          server.returnsCash !== t.returns.cashKop ||
          server.returnsCard !== t.returns.cardKop
        ) {
          shiftSums.failures.push(
            `${desk.name}, смена ${shift}: сервер ${JSON.stringify(server)}, журнал ${JSON.stringify({ cash: t.sales.cashKop, card: t.sales.cardKop, returnsCash: t.returns.cashKop, returnsCard: t.returns.cardKop })}`,
          );
        }
      }
      queues.checked++;
      if (status.unsentCount !== 0 || status.rejectedCount !== 0)
        queues.failures.push(`${desk.name}: не отправлено ${status.unsentCount}, отклонено ${status.rejectedCount}`);

      const deskServerTotal = deskPayments.reduce((s, p) => s + Number(p.total_kop), 0);
      registerTotal += regReceipts.filter((r) => r.kind === 'sale').reduce((s, r) => s + r.totalKop, 0);
      if (!restored) {
        journalTotal += done.filter((j) => PAYMENT_KINDS.has(j.kind)).reduce((s, j) => s + (j.totalKop ?? 0), 0);
        wholeServerTotal += deskServerTotal;
      }
    }

    total.checked = 2;
    const serverTotal = [...serverPayments.values()].reduce((s, p) => s + Number(p.total_kop), 0);
    if (serverTotal !== registerTotal) total.failures.push(`чеки прихода в ККТ ${registerTotal}, сервер ${serverTotal}`);
    if (wholeServerTotal !== journalTotal)
      total.failures.push(`журналы ${journalTotal}, сервер ${wholeServerTotal} (кассы без восстановления журнала)`);

    const byOriginal = new Map<string, string[]>();
    for (const r of serverReversals.values()) byOriginal.set(r.original_op_id, [...(byOriginal.get(r.original_op_id) ?? []), r.op_id]);
    for (const [original, list] of byOriginal) {
      oneReversal.checked++;
      if (list.length > 1) oneReversal.failures.push(`на сервере у платежа ${original} сторно: ${list.join(', ')}`);
    }

    // No op dropped after any restore: every op a cashier was told accepted is on the server, or in review with its body.
    const dropped = check('ни одна принятая операция не потеряна после восстановлений: каждая есть на сервере или в разборе с телом');
    const ops = new Map(
      (await db.query<{ op_id: string; outcome: string; code: string | null }>('SELECT op_id, outcome, code FROM ops')).rows.map((r) => [
        r.op_id,
        r,
      ]),
    );
    const kept = new Set(
      (await db.query<{ op_id: string }>("SELECT op_id FROM review_items WHERE op_id IS NOT NULL AND context ? 'body'")).rows.map(
        (r) => r.op_id,
      ),
    );
    for (const e of ledger.values()) {
      if (e.outcome !== 'accepted') continue;
      dropped.checked++;
      const t = target(e);
      const op = ops.get(t.opId);
      if (op && op.outcome !== 'rejected') continue;
      if (kept.has(t.opId)) continue;
      dropped.failures.push(
        `${stack.desks[e.desk]?.name ?? e.desk}: ${e.kind} ${t.opId} принят кассой, на сервере ${op ? `отклонён (${op.code ?? ''})` : 'его нет'} и в разборе нет`,
      );
    }

    // The provider: each forwarded payment credited once, nothing credited that we do not know.
    const forwarding = check(
      'каждый платёж третьим лицам зачислен поставщиком ровно один раз, отклонён им или снят с передачи до отправки',
    );
    const fwd = (
      await db.query<{
        op_id: string;
        state: string;
        txn_id: string;
        amount_kop: string;
        account: string;
        prv_txn: string | null;
        provider_code: string;
      }>('SELECT op_id, state, txn_id, amount_kop, account, prv_txn, provider_code FROM forwardings')
    ).rows;
    const fwdByOp = new Map(fwd.map((f) => [f.op_id, f]));
    const credited = stack.sim.ledger();
    const byTxn = new Map<string, typeof credited>();
    for (const l of credited) byTxn.set(`${l.provider}:${l.txnId}`, [...(byTxn.get(`${l.provider}:${l.txnId}`) ?? []), l]);
    for (const f of fwd) {
      forwarding.checked++;
      const entries = byTxn.get(`${f.provider_code}:${f.txn_id}`) ?? [];
      if (f.state === 'queued' || f.state === 'sent' || f.state === 'held')
        forwarding.failures.push(`платёж ${f.op_id} всё ещё передаётся (${f.state})`);
      else if (
        f.state === 'confirmed' &&
        (entries.length !== 1 ||
          entries[0]?.sumKop !== Number(f.amount_kop) ||
          entries[0]?.account !== f.account ||
          entries[0]?.prvTxn !== f.prv_txn)
      )
        forwarding.failures.push(`платёж ${f.op_id}: у поставщика записей ${entries.length}`);
      else if ((f.state === 'failed' || f.state === 'cancelled') && entries.length !== 0)
        forwarding.failures.push(`платёж ${f.op_id} ${f.state === 'failed' ? 'отклонён' : 'снят с передачи'}, но поставщик зачислил его`);
    }
    const known = new Set(fwd.map((f) => `${f.provider_code}:${f.txn_id}`));
    for (const l of credited) {
      forwarding.checked++;
      if (!known.has(`${l.provider}:${l.txnId}`)) forwarding.failures.push(`поставщик зачислил неизвестный txn_id ${l.txnId}`);
    }

    // Refunded in cash and credited by the provider: paid out twice.
    const twice = check('ни один платёж третьим лицам не возвращён наличными и зачислен поставщиком');
    for (const r of serverReversals.values()) {
      const p = serverPayments.get(r.original_op_id);
      if (p?.kind !== 'thirdparty') continue;
      twice.checked++;
      const f = fwdByOp.get(r.original_op_id);
      if (!f) {
        twice.failures.push(`возвращён платёж ${r.original_op_id}, о передаче которого сервер ничего не знает`);
        continue;
      }
      const entries = byTxn.get(`${f.provider_code}:${f.txn_id}`) ?? [];
      if (entries.length > 0)
        twice.failures.push(
          `платёж ${r.original_op_id} (${f.provider_code}, ${Number(f.amount_kop) / 100} ₽) возвращён наличными сторно ${r.op_id} и зачислен поставщиком (передача ${f.state})`,
        );
    }

    // The catalog edits touched no money, and no payment was found to disagree with its commission.
    const catalog = check('правки справочника поставщиков не изменили ни одного денежного поля, нет payment.commission_mismatch');
    const now = await db.query<ProviderMoney>(
      'SELECT code, min_kop, max_kop, commission, agent_type, check_required, offline_allowed, can_cancel FROM providers ORDER BY code',
    );
    const after = new Map(now.rows.map((p) => [p.code, p]));
    for (const before of facts.providersBefore) {
      catalog.checked++;
      const p = after.get(before.code);
      if (JSON.stringify(p) !== JSON.stringify(before))
        catalog.failures.push(`поставщик ${before.code}: было ${JSON.stringify(before)}, стало ${JSON.stringify(p ?? null)}`);
    }
    const mismatches = (
      await db.query<{ op_id: string | null; message: string }>(
        "SELECT op_id, message FROM review_items WHERE code = 'payment.commission_mismatch'",
      )
    ).rows;
    catalog.checked++;
    for (const m of mismatches) catalog.failures.push(`payment.commission_mismatch ${m.op_id ?? ''}: ${m.message}`);

    // The review queue holds exactly the anomalies this run caused.
    const review = check('в очереди разбора ровно внесённые аномалии');
    const items = (await db.query<{ code: string; op_id: string | null; message: string }>('SELECT code, op_id, message FROM review_items'))
      .rows;
    const fatal = [...ledger.values()].filter((e) => e.fatalAtProvider && e.outcome === 'accepted').map((e) => e.opId);
    // Paying more than the debt the desk showed leaves an advance, which the server queues for review:
    // every such payment must be there, and no other — so the desk's debt and the server's agree.
    const advances = new Set([...ledger.values()].filter((e) => e.aboveDebt && e.outcome === 'accepted').map((e) => e.opId));
    // A journal put back from a copy lacks the operations of its open shift journaled after the copy,
    // while the register has them: the shift's close reports the difference for review — once per
    // restore, for a shift closed after it. Any other mismatch is unexpected.
    const mismatchAllowance = new Map<number, number>();
    for (const r of restores.journals) mismatchAllowance.set(r.desk, (mismatchAllowance.get(r.desk) ?? 0) + 1);
    const causedByRestore = (i: { code: string; op_id: string | null }): boolean => {
      const e = i.op_id ? ledger.get(i.op_id) : undefined;
      if (i.code !== 'shift.totals_mismatch' || e?.kind !== 'shift_close') return false;
      const left = mismatchAllowance.get(e.desk) ?? 0;
      if (left === 0 || !restores.journals.some((r) => r.desk === e.desk && r.restoredAt <= (e.answeredAt ?? Infinity))) return false;
      mismatchAllowance.set(e.desk, left - 1);
      return true;
    };
    review.checked = items.length + fatal.length + advances.size;
    for (const opId of fatal)
      if (!items.some((i) => i.code === 'forwarding.failed' && i.op_id === opId))
        review.failures.push(`отказ поставщика по ${opId} не попал в разбор`);
    for (const opId of advances)
      if (!items.some((i) => i.code === 'payment.above_debt' && i.op_id === opId))
        review.failures.push(`платёж сверх долга ${opId} не попал в разбор`);
    for (const i of items) {
      const expected =
        INJECTED_REVIEW.has(i.code) || (i.code === 'payment.above_debt' && advances.has(i.op_id ?? '')) || causedByRestore(i);
      if (!expected) {
        const e = i.op_id ? ledger.get(i.op_id) : undefined;
        review.failures.push(
          `неожиданный пункт разбора ${i.code} (${i.op_id ?? ''}): ${i.message}${e ? `; касса ${e.desk + 1}, ${e.kind}, отправок ${e.sends}` : ''}`,
        );
      } else if (i.code === 'forwarding.failed' && !fatal.includes(i.op_id ?? ''))
        review.failures.push(`отказ поставщика по платежу ${i.op_id ?? ''}, который не был отказным`);
    }

    const live = check('ответы касс в сценах кассира не нарушили обещаний (второе сторно, платёж под новым номером при несверенном)');
    live.checked = facts.scenesPlayed;
    live.failures.push(...facts.violations);

    const survived = check('сервер пережил разрыв соединений с базой (перезапуск PostgreSQL) без перезапуска');
    survived.checked = facts.survived.checked;
    survived.failures.push(...facts.survived.failures);
  } finally {
    await db.end();
  }
  return checks;
}
