/**
 * The cashiers: one driver per desk taking payments of every kind, readings, reversals (top-ups too,
 * some right after paying, some later), cash moves, cash-ups and shift changes through the desk's API
 * at a steady rate, resending requests as a browser would (the same operation id) whenever an answer
 * did not come, and sometimes for no reason. Every operation is written in the ledger with what the
 * desk answered.
 *
 * On the fault scheduler's word a driver also plays a scene a real cashier plays: two tabs reversing
 * one payment at once; a dialog reopened after an unknown outcome, which mints a new op id, for a
 * reversal and for a payment; a top-up paid and refunded at once while the server forwards it. What
 * the desk answered is counted per scene, and an answer that breaks a promise there and then is kept
 * as a violation.
 */
import { v7 as uuidv7 } from 'uuid';
import { RegisterControl } from './register-control.ts';
import type { Rng } from './rng.ts';
import type { DeskNode } from './stack.ts';

export type OpKind =
  'billing' | 'thirdparty' | 'service' | 'reversal' | 'reading' | 'cash_in' | 'cash_out' | 'cash_count' | 'shift_open' | 'shift_close';

export const SCENARIOS = ['reversal_concurrent', 'reversal_retry_new_id', 'payment_retry_new_id', 'thirdparty_reversal_race'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface LedgerEntry {
  opId: string;
  desk: number;
  kind: OpKind;
  path: string;
  body: Record<string, unknown>;
  /** accepted: the desk said done (2xx); refused: a 4xx with a code; unknown: no answer yet. */
  outcome: 'accepted' | 'refused' | 'unknown';
  code?: string;
  /** The desk's message with the code, for the report. */
  detail?: string;
  sends: number;
  /** A third-party payment to an account the provider refuses: an anomaly injected on purpose. */
  fatalAtProvider?: boolean;
  /** A payment above the debt the desk showed (an advance): the server must queue it for review. */
  aboveDebt?: boolean;
  /** A reversal the desk answered with another reversal of the same payment (the one that counts). */
  answeredAs?: string;
  /** The scene it was part of. */
  scenario?: Scenario;
  /** When it was first sent, and when its last answer came (ms since the epoch, the harness's clock). */
  firstSentAt?: number;
  answeredAt?: number;
}

export interface WorkloadStats {
  attempted: number;
  duplicatesSent: number;
  networkErrors: number;
  byKind: Record<string, number>;
  /** Per scene, what happened how many times. */
  scenarios: Record<string, Record<string, number>>;
  /** Answers that broke a promise the moment they were given. */
  violations: string[];
}

const FATAL_MTS = '9160000001';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

interface OwnPayment {
  opId: string;
  kind: OpKind;
  shift: number | null;
  at: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class DeskDriver {
  private token: string | null = null;
  private readonly mine: string[];
  private readonly payments: OwnPayment[] = [];
  private shiftNumber: number | null = null;
  private lastShiftChange = Date.now();
  /** Since when the desk has said the register has no paper (or receipts wait to be printed). */
  private paperOutSince: number | null = null;
  /** Operations of this desk whose answer never came: settled before the cashier takes the next one. */
  private readonly unknown = new Set<LedgerEntry>();
  /** Scenes the fault scheduler asked for, played one per step when the desk is ready for them. */
  private readonly armed: Scenario[] = [];
  private busy: Promise<void> | null = null;
  readonly register: RegisterControl;

  constructor(
    readonly desk: DeskNode,
    private readonly rnd: Rng,
    private readonly ledger: Map<string, LedgerEntry>,
    private readonly stats: WorkloadStats,
    accounts: string[],
    deskCount: number,
  ) {
    // Each desk serves its own accounts, so no two desks pay one debt at once (that would be a real
    // anomaly for the review queue, not one this run injects).
    this.mine = accounts.filter((_, i) => i % deskCount === desk.index);
    this.register = new RegisterControl(desk);
  }

  /** The scheduler asks for a scene; it is played at one of the next steps. */
  arm(scene: Scenario): void {
    this.armed.push(scene);
  }

  /** Scenes asked for and not played yet. */
  get scenesPending(): number {
    return this.armed.length;
  }

  /** How many operations of this desk still wait for an answer. */
  get unanswered(): number {
    return this.unknown.size;
  }

  private count(scene: Scenario, what: string): void {
    const s = (this.stats.scenarios[scene] ??= {});
    s[what] = (s[what] ?? 0) + 1;
  }

  private async call(method: string, path: string, body?: unknown, token: string | null = this.token): Promise<Answer | null> {
    try {
      const r = await fetch(this.desk.url + path, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(20_000),
      });
      const text = await r.text();
      return { status: r.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
    } catch {
      this.stats.networkErrors++;
      return null;
    }
  }

  private async login(login: string): Promise<string | null> {
    const r = await this.call('POST', '/api/session', { login, password: 'paydesk-demo' }, null);
    return r?.status === 200 ? (r.body['token'] as string) : null;
  }

  private async ensureSession(): Promise<boolean> {
    if (this.token) return true;
    this.token = await this.login('cashier');
    return this.token !== null;
  }

  /** Sends an operation (or sends it again) and records what came back. */
  async send(entry: LedgerEntry, token: string | null = this.token): Promise<LedgerEntry> {
    entry.sends++;
    entry.firstSentAt ??= Date.now();
    const r = await this.call('POST', entry.path, entry.body, token);
    entry.answeredAt = Date.now();
    const code = r?.body['code'] as string | undefined;
    // No answer, a server error, or the desk saying this very operation's outcome is not known yet
    // (or it is still running): the cashier must find out before anything else.
    const stillOpen =
      r !== null &&
      r.status === 409 &&
      (code === 'fiscal.outcome_unknown' || code === 'payment.in_progress') &&
      (r.body['opId'] === undefined || r.body['opId'] === entry.opId);
    if (!r || r.status >= 500 || r.status === 401 || stillOpen) {
      if (r?.status === 401 && token === this.token) this.token = null;
      entry.outcome = 'unknown';
      if (stillOpen) entry.code = code;
      this.unknown.add(entry);
      return entry;
    }
    this.unknown.delete(entry);
    if (r.status < 300) {
      entry.outcome = 'accepted';
      delete entry.code;
      const reversalId = r.body['reversalId'];
      if (entry.kind === 'reversal' && typeof reversalId === 'string' && reversalId !== entry.opId) entry.answeredAs = reversalId;
    } else {
      entry.outcome = 'refused';
      entry.code = code ?? String(r.status);
      entry.detail = typeof r.body['detail'] === 'string' ? r.body['detail'].slice(0, 300) : '';
      if (entry.code === 'shift.closed') this.shiftNumber = null;
      // A payment a restored journal no longer has cannot be reversed at this desk: the cashier stops trying.
      if (entry.kind === 'reversal' && entry.code === 'not_found') this.forget(String(entry.body['paymentId']));
      // The register has no paper, or receipts wait to be printed: the cashier sees to it before the next customer.
      if (entry.code === 'fiscal.paper_out') this.paperOutSince ??= Date.now();
    }
    if (entry.outcome === 'accepted' && (entry.kind === 'billing' || entry.kind === 'thirdparty' || entry.kind === 'service')) {
      const shift = (r.body['fiscal'] as { shiftNumber?: number } | null)?.shiftNumber ?? this.shiftNumber;
      if (!this.payments.some((p) => p.opId === entry.opId))
        this.payments.push({ opId: entry.opId, kind: entry.kind, shift, at: Date.now() });
    }
    if (entry.outcome === 'accepted' && entry.kind === 'shift_open')
      this.shiftNumber = (r.body['shiftNumber'] as number | undefined) ?? null;
    if (entry.outcome === 'accepted' && entry.kind === 'shift_close') this.shiftNumber = null;
    return entry;
  }

  private forget(paymentId: string): void {
    const i = this.payments.findIndex((p) => p.opId === paymentId);
    if (i >= 0) this.payments.splice(i, 1);
  }

  private newEntry(kind: OpKind, path: string, body: Record<string, unknown>, extra: Partial<LedgerEntry> = {}): LedgerEntry {
    const opId = uuidv7();
    const entry: LedgerEntry = { opId, desk: this.desk.index, kind, path, body: { ...body, opId }, outcome: 'unknown', sends: 0, ...extra };
    this.ledger.set(opId, entry);
    this.stats.attempted++;
    this.stats.byKind[kind] = (this.stats.byKind[kind] ?? 0) + 1;
    return entry;
  }

  private async op(kind: OpKind, path: string, body: Record<string, unknown>, extra: Partial<LedgerEntry> = {}): Promise<LedgerEntry> {
    const entry = this.newEntry(kind, path, body, extra);
    await this.send(entry);
    // A double click, a resend by an impatient browser: the same operation id again.
    if (entry.outcome === 'accepted' && this.rnd.chance(0.08)) {
      this.stats.duplicatesSent++;
      const copy = { ...entry };
      await this.send(copy);
      if (copy.outcome !== 'accepted') entry.code = `duplicate answered ${copy.outcome}/${copy.code ?? ''}`;
    }
    if (entry.code === 'shift.expired') await this.closeExpiredShift();
    return entry;
  }

  /** A shift past 24 hours (the clock jumped a day): the register refuses until it is closed. */
  private async closeExpiredShift(): Promise<void> {
    this.lastShiftChange = Date.now();
    await this.op('shift_close', '/api/shift/close', { confirmUnsent: true });
    this.shiftNumber = null;
  }

  /** One step of the cashier's day; the harness waits for it to end before holding the desk still. */
  async step(): Promise<void> {
    const run = this.stepOnce();
    this.busy = run;
    try {
      await run;
    } finally {
      this.busy = null;
    }
  }

  /** Resolves once the step in progress (if any) has ended. */
  async idle(): Promise<void> {
    while (this.busy) await this.busy.catch(() => undefined);
  }

  private async stepOnce(): Promise<void> {
    if (!this.desk.alive() || this.desk.restarting) return;
    if (!(await this.ensureSession())) return;
    if (this.paperOutSince !== null) {
      // Told there is no paper, the cashier loads a roll (it takes a moment) and finishes printing.
      if (Date.now() - this.paperOutSince >= 2_000) await this.register.paper(true);
      const r = await this.call('POST', '/api/register/continue-print');
      if (r?.status === 200) this.paperOutSince = null;
      return;
    }
    // A cashier whose payment got no answer finds out what became of it before serving the next
    // customer: sending it again, later, with a debt that others have paid since, is a real anomaly.
    const [unanswered] = this.unknown;
    if (unanswered) {
      await this.send(unanswered);
      return;
    }
    // The harness needs the desk quiet (a journal restore): the cashier only finishes what is open.
    if (this.desk.held) return;
    if (this.shiftNumber === null) {
      const status = await this.call('GET', '/api/status');
      const shift = status?.body['shift'] as { open: boolean; number: number | null; state?: string } | undefined;
      if (shift?.open) this.shiftNumber = shift.number;
      else {
        const e = await this.op('shift_open', '/api/shift/open', { openingFloatKop: 500_000 });
        if (e.code === 'shift.already_open') this.shiftNumber = null;
        return;
      }
    }
    const scene = this.armed[0];
    if (scene) {
      if (await this.play(scene)) this.armed.shift();
      return;
    }
    const roll = this.rnd.next();
    const method = this.rnd.chance(0.25) ? 'card' : 'cash';
    if (roll < 0.34) {
      await this.billing(method);
    } else if (roll < 0.52) {
      const e = await this.thirdparty(method);
      // A payer who changes their mind at the counter: the top-up is refunded at once, while the
      // server may be forwarding it.
      if (e?.outcome === 'accepted' && !e.fatalAtProvider && this.rnd.chance(0.1)) await this.reverse(e.opId);
    } else if (roll < 0.62) {
      await this.service(method);
    } else if (roll < 0.72) {
      await this.reading();
    } else if (roll < 0.78) {
      // A third of the reversals are top-ups refunded later: forwarded by then, or not yet.
      const p = this.rnd.chance(0.3) ? this.reversible((k) => k === 'thirdparty') : this.reversible((k) => k !== 'thirdparty');
      if (p) await this.reverse(p.opId);
    } else if (roll < 0.84) {
      await this.op(this.rnd.chance(0.5) ? 'cash_in' : 'cash_out', this.rnd.chance(0.5) ? '/api/cash/in' : '/api/cash/out', {
        amountKop: this.rnd.int(1_000, 20_000),
        comment: 'хаос-тест',
      });
    } else if (roll < 0.87) {
      await this.op('cash_count', '/api/cash/count', { countedKop: this.rnd.int(0, 2_000_000) });
    } else if (roll < 0.89 && Date.now() - this.lastShiftChange > 45_000) {
      this.lastShiftChange = Date.now();
      await this.op('shift_close', '/api/shift/close', { confirmUnsent: true });
    }
  }

  private async billing(method: string): Promise<LedgerEntry | null> {
    const account = this.rnd.pick(this.mine);
    const card = await this.call('GET', `/api/accounts/${account}`);
    const debt = (card?.body['totalDebtKop'] as number | undefined) ?? 0;
    if (!card || card.status !== 200) return null;
    const amountKop = debt > 1_000 ? this.rnd.int(100, Math.min(debt, 500_000)) : this.rnd.int(1_000, 50_000);
    return this.op(
      'billing',
      '/api/payments',
      { kind: 'billing', accountNumber: account, amountKop, method },
      amountKop > debt ? { aboveDebt: true } : {},
    );
  }

  private async thirdparty(method: string, allowFatal = true): Promise<LedgerEntry> {
    const fatal = allowFatal && this.rnd.chance(0.08);
    const [providerCode, account] = fatal
      ? ['MTS', FATAL_MTS]
      : this.rnd.pick([
          ['MTS', `91${this.rnd.int(10_000_000, 99_999_999)}`],
          ['BEELINE', `90${this.rnd.int(10_000_000, 99_999_999)}`],
          ['NETLINE', String(this.rnd.int(20_000_000, 29_999_999))],
          ['DOMOFON', '100501'],
        ] as const);
    return this.op(
      'thirdparty',
      '/api/payments',
      { kind: 'thirdparty', providerCode, account, amountKop: this.rnd.int(10_000, 150_000), method },
      fatal ? { fatalAtProvider: true } : {},
    );
  }

  private service(method: string): Promise<LedgerEntry> {
    return this.op('service', '/api/payments', {
      kind: 'service',
      items: [{ code: this.rnd.pick(['COPY_A4', 'PRINT_A4', 'CERT', 'PLUMBER']), quantity: this.rnd.int(1, 4) }],
      method,
    });
  }

  private reversalBody(paymentId: string): Record<string, unknown> {
    return { paymentId, reason: 'Ошибка кассира (хаос-тест)' };
  }

  private reverse(paymentId: string, extra: Partial<LedgerEntry> = {}): Promise<LedgerEntry> {
    return this.op('reversal', '/api/reversals', this.reversalBody(paymentId), extra);
  }

  /** An own payment of the current shift that no reversal was asked for yet. */
  private reversible(kind: (k: OpKind) => boolean, olderThanMs = 0): OwnPayment | null {
    const asked = new Set([...this.ledger.values()].filter((e) => e.kind === 'reversal').map((e) => e.body['paymentId']));
    const own = this.payments.filter(
      (p) =>
        kind(p.kind) &&
        p.shift === this.shiftNumber &&
        !asked.has(p.opId) &&
        Date.now() - p.at >= olderThanMs &&
        !this.ledger.get(p.opId)?.fatalAtProvider,
    );
    return own.length > 0 ? this.rnd.pick(own) : null;
  }

  /** What the desk's journal says of an operation now. */
  private async stateOf(opId: string, kind: OpKind): Promise<string> {
    if (kind !== 'reversal') {
      const r = await this.call('GET', `/api/payments/${opId}`);
      return r?.status === 200 ? String(r.body['state']) : r?.status === 404 ? 'absent' : 'unknown';
    }
    const r = await this.call('GET', '/api/payments?kind=reversal&limit=500');
    const item = (r?.body['items'] as { operationId: string; state: string }[] | undefined)?.find((i) => i.operationId === opId);
    return item?.state ?? (r ? 'absent' : 'unknown');
  }

  /** Plays a scene; false when the desk is not ready for it yet (then it is tried at the next step). */
  private async play(scene: Scenario): Promise<boolean> {
    switch (scene) {
      case 'reversal_concurrent':
        return this.concurrentReversals();
      case 'reversal_retry_new_id':
        return this.reversalRetriedUnderNewId();
      case 'payment_retry_new_id':
        return this.paymentRetriedUnderNewId();
      case 'thirdparty_reversal_race':
        return this.topUpRefundedWhileForwarded();
    }
  }

  /** A payment to reverse in a scene; when there is none, one is taken first. */
  private async reversibleOrPay(): Promise<OwnPayment | null> {
    const p = this.reversible((k) => k !== 'thirdparty');
    if (!p) await this.service('cash');
    return p;
  }

  /** Two tabs (or the cashier and the senior) reverse one payment at once, the register slow enough that they overlap. */
  private async concurrentReversals(): Promise<boolean> {
    const p = await this.reversibleOrPay();
    if (!p) return false;
    const other = await this.login(this.rnd.chance(0.5) ? 'cashier' : 'senior');
    if (!other) return false;
    await this.register.delay(this.rnd.int(600, 1_500));
    const a = this.newEntry('reversal', '/api/reversals', this.reversalBody(p.opId), { scenario: 'reversal_concurrent' });
    const b = this.newEntry('reversal', '/api/reversals', this.reversalBody(p.opId), { scenario: 'reversal_concurrent' });
    await Promise.all([this.send(a), this.send(b, other)]);
    if (a.code === 'not_found' && b.code === 'not_found') return false;
    const own = [a, b].filter((e) => e.outcome === 'accepted' && !e.answeredAs);
    this.count(
      'reversal_concurrent',
      [a, b]
        .map((e) =>
          e.outcome === 'accepted' ? (e.answeredAs ? 'answered_as_other' : 'accepted') : `${e.outcome}${e.code ? `/${e.code}` : ''}`,
        )
        .sort()
        .join(' + '),
    );
    if (own.length > 1)
      this.stats.violations.push(`${this.desk.name}: два сторно одного платежа ${p.opId} приняты оба (${a.opId}, ${b.opId})`);
    return true;
  }

  /** A reversal's answer is lost (the register hangs after printing); the cashier reopens the dialog, which mints a new op id. */
  private async reversalRetriedUnderNewId(): Promise<boolean> {
    if (this.register.kkm) return true;
    const p = await this.reversibleOrPay();
    if (!p) return false;
    // Silent for one call, the device answers the second dialog's check; for more, it still cannot tell.
    const silent = this.rnd.chance(0.5) ? 1 : this.rnd.int(2, 4);
    await this.register.hangAfterPrint(silent);
    const first = await this.reverse(p.opId, { scenario: 'reversal_retry_new_id' });
    if (first.code === 'not_found') return false;
    if (first.outcome !== 'unknown') {
      this.count('reversal_retry_new_id', `first ${first.outcome}${first.code ? `/${first.code}` : ''}`);
      return true;
    }
    const second = this.newEntry('reversal', '/api/reversals', this.reversalBody(p.opId), { scenario: 'reversal_retry_new_id' });
    await this.send(second);
    const firstState = await this.stateOf(first.opId, 'reversal');
    const what =
      second.outcome === 'accepted'
        ? second.answeredAs === first.opId
          ? 'answered the first'
          : 'printed its own'
        : `${second.outcome}${second.code ? `/${second.code}` : ''}`;
    this.count('reversal_retry_new_id', `${what}; first ${firstState}; device silent ${silent}`);
    if (second.outcome === 'accepted' && !second.answeredAs && firstState !== 'failed') {
      this.stats.violations.push(
        `${this.desk.name}: сторно ${second.opId} под новым номером пробито, хотя первое (${first.opId}) ${firstState}`,
      );
    }
    return true;
  }

  /** A payment's answer is lost; the cashier reopens the dialog and takes the same payment under a new op id. */
  private async paymentRetriedUnderNewId(): Promise<boolean> {
    if (this.register.kkm) return true;
    const silent = this.rnd.chance(0.5) ? 1 : this.rnd.int(2, 4);
    await this.register.hangAfterPrint(silent);
    const body = { kind: 'service', items: [{ code: 'COPY_A4', quantity: this.rnd.int(1, 4) }], method: 'cash' };
    const first = await this.op('service', '/api/payments', body, { scenario: 'payment_retry_new_id' });
    if (first.outcome !== 'unknown') {
      this.count('payment_retry_new_id', `first ${first.outcome}${first.code ? `/${first.code}` : ''}`);
      return true;
    }
    const second = await this.op('service', '/api/payments', body, { scenario: 'payment_retry_new_id' });
    const firstState = await this.stateOf(first.opId, 'service');
    this.count(
      'payment_retry_new_id',
      `${second.outcome}${second.code ? `/${second.code}` : ''}; first ${firstState}; device silent ${silent}`,
    );
    // The desk settles every unclear operation before it takes new work: a new payment taken while
    // the first is still pending means it did not.
    if (second.outcome === 'accepted' && firstState === 'fiscal_pending') {
      this.stats.violations.push(
        `${this.desk.name}: платёж ${second.opId} принят под новым номером, пока первый (${first.opId}) не сверен`,
      );
    }
    return true;
  }

  /** A top-up paid and refunded at once, and an older one refunded, while the server forwards them. */
  private async topUpRefundedWhileForwarded(): Promise<boolean> {
    const e = await this.thirdparty('cash', false);
    if (e.outcome !== 'accepted') return false;
    await sleep(this.rnd.int(0, 400));
    const now = await this.reverse(e.opId, { scenario: 'thirdparty_reversal_race' });
    this.count('thirdparty_reversal_race', `at once: ${now.outcome}${now.code ? `/${now.code}` : ''}`);
    const older = this.reversible((k) => k === 'thirdparty', 3_000);
    if (older) {
      const later = await this.reverse(older.opId, { scenario: 'thirdparty_reversal_race' });
      this.count('thirdparty_reversal_race', `later: ${later.outcome}${later.code ? `/${later.code}` : ''}`);
    }
    return true;
  }

  private async reading(): Promise<void> {
    const account = this.rnd.pick(this.mine);
    const card = await this.call('GET', `/api/accounts/${account}`);
    const meters = (card?.body['meters'] as { id: string; lastValue: string | null; digits?: number }[] | undefined) ?? [];
    const meter = meters.length ? this.rnd.pick(meters) : null;
    if (!meter) return;
    const last = Number((meter.lastValue ?? '0').replace(',', '.'));
    const value = (last + this.rnd.int(1, 30) + this.rnd.int(0, 9) / 10).toFixed(1).replace('.', ',');
    const entry = await this.op('reading', '/api/readings', { accountNumber: account, meterId: meter.id, value, confirmed: [] });
    if (entry.code === 'reading.needs_confirmation') {
      entry.body['confirmed'] = ['reading.jump', 'reading.rollover', 'reading.verification_expired', 'reading.after_cutoff'];
      await this.send(entry);
    }
  }

  /**
   * The end of the day: receipts the desk says it fiscalised but did not print (paper ran out after
   * the last one) are printed with «Допечатать», as the desk tells the cashier to.
   */
  async finishPrinting(): Promise<void> {
    await this.ensureSession();
    for (let attempt = 0; attempt < 5; attempt++) {
      const open = await this.call('GET', '/api/register/unresolved');
      if (((open?.body['unprinted'] as unknown[] | undefined) ?? []).length === 0) return;
      // A roll that ran out in the last seconds of the run was not loaded yet: the cashier loads it first.
      await this.register.paper(true);
      const r = await this.call('POST', '/api/register/continue-print');
      if (r?.status === 200) return;
      await new Promise((done) => setTimeout(done, 1_000));
    }
  }

  /** Resends every operation of this desk whose answer never came, until each has one. */
  async resolveUnknown(deadline: number): Promise<number> {
    let left = 0;
    for (const e of this.ledger.values()) {
      if (e.desk !== this.desk.index || e.outcome !== 'unknown') continue;
      while (e.outcome === 'unknown' && Date.now() < deadline) {
        if (!this.desk.alive()) {
          await sleep(200);
          continue;
        }
        await this.ensureSession();
        await this.send(e);
        if (e.outcome === 'unknown') await sleep(300);
      }
      if (e.outcome === 'unknown') left++;
    }
    return left;
  }
}
