/**
 * The cashiers: one driver per desk taking payments of every kind, readings, reversals, cash moves,
 * cash-ups and shift changes through the desk's API at a steady rate, resending requests as a
 * browser would (the same operation id) whenever an answer did not come, and sometimes for no reason.
 * Every operation is written in the ledger with what the desk answered.
 */
import { v7 as uuidv7 } from 'uuid';
import type { Rng } from './rng.ts';
import type { DeskNode } from './stack.ts';

export type OpKind = 'billing' | 'thirdparty' | 'service' | 'reversal' | 'reading' | 'cash_in' | 'cash_out' | 'cash_count' | 'shift_open' | 'shift_close';

export interface LedgerEntry {
  opId: string;
  desk: number;
  kind: OpKind;
  path: string;
  body: Record<string, unknown>;
  /** accepted: the desk said done (2xx); refused: a 4xx with a code; unknown: no answer yet. */
  outcome: 'accepted' | 'refused' | 'unknown';
  code?: string;
  sends: number;
  /** A third-party payment to an account the provider refuses: an anomaly injected on purpose. */
  fatalAtProvider?: boolean;
  /** A payment above the debt the desk showed (an advance): the server must queue it for review. */
  aboveDebt?: boolean;
}

export interface WorkloadStats {
  attempted: number;
  duplicatesSent: number;
  networkErrors: number;
  byKind: Record<string, number>;
}

const FATAL_MTS = '9160000001';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

export class DeskDriver {
  private token: string | null = null;
  private readonly mine: string[];
  private readonly payments: { opId: string; kind: OpKind; shift: number | null }[] = [];
  private shiftNumber: number | null = null;
  private lastShiftChange = Date.now();
  private paperOut = false;
  /** Operations of this desk whose answer never came: settled before the cashier takes the next one. */
  private readonly unknown = new Set<LedgerEntry>();

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
  }

  private async call(method: string, path: string, body?: unknown): Promise<Answer | null> {
    try {
      const r = await fetch(this.desk.url + path, {
        method,
        headers: { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
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

  private async ensureSession(): Promise<boolean> {
    if (this.token) return true;
    const r = await this.call('POST', '/api/session', { login: 'cashier', password: 'demo' });
    if (r?.status !== 200) return false;
    this.token = r.body['token'] as string;
    return true;
  }

  /** Sends an operation (or sends it again) and records what came back. */
  async send(entry: LedgerEntry): Promise<LedgerEntry> {
    entry.sends++;
    const r = await this.call('POST', entry.path, entry.body);
    if (!r || r.status >= 500 || r.status === 401) {
      if (r?.status === 401) this.token = null;
      entry.outcome = 'unknown';
      this.unknown.add(entry);
      return entry;
    }
    this.unknown.delete(entry);
    if (r.status < 300) {
      entry.outcome = 'accepted';
      delete entry.code;
    } else {
      entry.outcome = 'refused';
      entry.code = (r.body['code'] as string | undefined) ?? String(r.status);
      if (entry.code === 'shift.closed') this.shiftNumber = null;
      // What a cashier does when the register reports no paper: load it and finish the last document.
      if (entry.code === 'fiscal.paper_out') this.paperOut = true;
    }
    if (entry.outcome === 'accepted' && (entry.kind === 'billing' || entry.kind === 'thirdparty' || entry.kind === 'service')) {
      const shift = (r.body['fiscal'] as { shiftNumber?: number } | null)?.shiftNumber ?? this.shiftNumber;
      if (!this.payments.some((p) => p.opId === entry.opId)) this.payments.push({ opId: entry.opId, kind: entry.kind, shift });
    }
    if (entry.outcome === 'accepted' && entry.kind === 'shift_open') this.shiftNumber = (r.body['shiftNumber'] as number | undefined) ?? null;
    if (entry.outcome === 'accepted' && entry.kind === 'shift_close') this.shiftNumber = null;
    return entry;
  }

  private async op(kind: OpKind, path: string, body: Record<string, unknown>, extra: Partial<LedgerEntry> = {}): Promise<LedgerEntry> {
    const opId = uuidv7();
    const entry: LedgerEntry = { opId, desk: this.desk.index, kind, path, body: { ...body, opId }, outcome: 'unknown', sends: 0, ...extra };
    this.ledger.set(opId, entry);
    this.stats.attempted++;
    this.stats.byKind[kind] = (this.stats.byKind[kind] ?? 0) + 1;
    await this.send(entry);
    // A double click, a resend by an impatient browser: the same operation id again.
    if (entry.outcome === 'accepted' && this.rnd.chance(0.08)) {
      this.stats.duplicatesSent++;
      const copy = { ...entry };
      await this.send(copy);
      if (copy.outcome !== 'accepted') entry.code = `duplicate answered ${copy.outcome}/${copy.code ?? ''}`;
    }
    return entry;
  }

  /** One step of the cashier's day. */
  async step(): Promise<void> {
    if (!this.desk.alive() || this.desk.restarting) return;
    if (!(await this.ensureSession())) return;
    if (this.paperOut) {
      const r = await this.call('POST', '/api/register/continue-print');
      if (r?.status === 200) this.paperOut = false;
      return;
    }
    // A cashier whose payment got no answer finds out what became of it before serving the next
    // customer: sending it again, later, with a debt that others have paid since, is a real anomaly.
    const [unanswered] = this.unknown;
    if (unanswered) {
      await this.send(unanswered);
      return;
    }
    if (this.shiftNumber === null) {
      const status = await this.call('GET', '/api/status');
      const shift = status?.body['shift'] as { open: boolean; number: number | null } | undefined;
      if (shift?.open) this.shiftNumber = shift.number;
      else {
        await this.op('shift_open', '/api/shift/open', { openingFloatKop: 500_000 });
        return;
      }
    }
    const roll = this.rnd.next();
    const method = this.rnd.chance(0.25) ? 'card' : 'cash';
    if (roll < 0.34) {
      const account = this.rnd.pick(this.mine);
      const card = await this.call('GET', `/api/accounts/${account}`);
      const debt = (card?.body['totalDebtKop'] as number | undefined) ?? 0;
      if (!card || card.status !== 200) return;
      const amountKop = debt > 1_000 ? this.rnd.int(100, Math.min(debt, 500_000)) : this.rnd.int(1_000, 50_000);
      await this.op('billing', '/api/payments', { kind: 'billing', accountNumber: account, amountKop, method }, amountKop > debt ? { aboveDebt: true } : {});
    } else if (roll < 0.52) {
      const fatal = this.rnd.chance(0.08);
      const [providerCode, account] = fatal ? ['MTS', FATAL_MTS] : this.rnd.pick([['MTS', `91${this.rnd.int(10_000_000, 99_999_999)}`], ['BEELINE', `90${this.rnd.int(10_000_000, 99_999_999)}`], ['NETLINE', String(this.rnd.int(20_000_000, 29_999_999))], ['DOMOFON', '100501']] as const);
      await this.op('thirdparty', '/api/payments', { kind: 'thirdparty', providerCode, account, amountKop: this.rnd.int(10_000, 150_000), method }, fatal ? { fatalAtProvider: true } : {});
    } else if (roll < 0.62) {
      await this.op('service', '/api/payments', { kind: 'service', items: [{ code: this.rnd.pick(['COPY_A4', 'PRINT_A4', 'CERT', 'PLUMBER']), quantity: this.rnd.int(1, 4) }], method });
    } else if (roll < 0.72) {
      await this.reading();
    } else if (roll < 0.78) {
      const own = this.payments.filter((p) => p.kind !== 'thirdparty' && p.shift === this.shiftNumber && ![...this.ledger.values()].some((e) => e.kind === 'reversal' && e.body['paymentId'] === p.opId));
      if (own.length > 0) await this.op('reversal', '/api/reversals', { paymentId: this.rnd.pick(own).opId, reason: 'Ошибка кассира (хаос-тест)' });
    } else if (roll < 0.84) {
      await this.op(this.rnd.chance(0.5) ? 'cash_in' : 'cash_out', this.rnd.chance(0.5) ? '/api/cash/in' : '/api/cash/out', { amountKop: this.rnd.int(1_000, 20_000), comment: 'хаос-тест' });
    } else if (roll < 0.87) {
      await this.op('cash_count', '/api/cash/count', { countedKop: this.rnd.int(0, 2_000_000) });
    } else if (roll < 0.89 && Date.now() - this.lastShiftChange > 45_000) {
      this.lastShiftChange = Date.now();
      await this.op('shift_close', '/api/shift/close', { confirmUnsent: true });
    }
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

  /** Resends every operation of this desk whose answer never came, until each has one. */
  async resolveUnknown(deadline: number): Promise<number> {
    let left = 0;
    for (const e of this.ledger.values()) {
      if (e.desk !== this.desk.index || e.outcome !== 'unknown') continue;
      while (e.outcome === 'unknown' && Date.now() < deadline) {
        if (!this.desk.alive()) {
          await new Promise((r) => setTimeout(r, 200));
          continue;
        }
        await this.ensureSession();
        await this.send(e);
        if (e.outcome === 'unknown') await new Promise((r) => setTimeout(r, 300));
      }
      if (e.outcome === 'unknown') left++;
    }
    return left;
  }
}
