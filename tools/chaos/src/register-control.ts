/**
 * What the harness does to a desk's register, whichever it is: the virtual register inside the desk
 * process (through the desk's test hooks) or the KKMServer in this process and the device behind it.
 */
import type { DeskNode } from './stack.ts';

export async function deskHook(url: string, path: string, body: unknown): Promise<void> {
  await fetch(url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  }).catch(() => undefined);
}

const isReceipt = (req: { body: unknown }): boolean => {
  const b = req.body as { Command?: unknown; IsFiscalCheck?: unknown } | null;
  return b?.Command === 'RegisterCheck' && b.IsFiscalCheck === true;
};

export interface ReceiptOnDevice {
  operationId: string | null;
  kind: 'sale' | 'sale_return';
  documentNumber: number;
  totalKop: number;
  cashKop: number;
  cardKop: number;
  shiftNumber: number;
  printed: boolean;
}

/** What the card terminal (its bank) did, normalised across the virtual terminal and the KKMServer one. */
export interface CardOnTerminal {
  /** The desk's operation: the command id without its attempt suffix (`<op>.2`). */
  opId: string;
  operation: 'pay' | 'cancel' | 'refund';
  amountKop: number;
  /** Approved and not reversed: money really moved. */
  moved: boolean;
}

export type CardFault = 'lose_answer' | 'forget' | 'timeout_error' | 'decline';

export class RegisterControl {
  constructor(private readonly desk: DeskNode) {}

  get kkm(): boolean {
    return this.desk.kkm !== null;
  }

  async paper(present: boolean): Promise<void> {
    if (this.desk.kkm) this.desk.kkm.device.setPaper(present);
    else await deskHook(this.desk.url, '/api/test/register', { paper: present });
  }

  /** The next receipt is fiscalised, then the paper runs out. */
  async paperOutAfter(): Promise<void> {
    if (this.desk.kkm) this.desk.kkm.sim.paperOutAfterFiscal();
    else await deskHook(this.desk.url, '/api/test/register-fault', { kind: 'paper_out_after' });
  }

  /** The next receipt is made but its answer lost (KKMServer: the connection cut before the answer). */
  async loseAnswer(): Promise<void> {
    if (this.desk.kkm) this.desk.kkm.sim.dropNextAnswer(isReceipt);
    else await deskHook(this.desk.url, '/api/test/register-fault', { kind: 'lose_answer' });
  }

  /** Virtual register only: the next receipt is made, its answer lost, then the device says nothing for `silentFor` calls. */
  async hangAfterPrint(silentFor: number): Promise<void> {
    await deskHook(this.desk.url, '/api/test/register-fault', { kind: 'lose_answer', silentFor });
  }

  /** The register does not answer for a while (KKMServer: the device switched off in its settings). */
  async unavailable(times: number): Promise<void> {
    if (this.desk.kkm) {
      const kkm = this.desk.kkm;
      kkm.sim.setDeviceActive(1, false);
      setTimeout(() => kkm.sim.setDeviceActive(1, true), 700 * times).unref();
    } else await deskHook(this.desk.url, '/api/test/register-fault', { kind: 'unavailable', times });
  }

  /** The register's next call (KKMServer: every call for a moment) takes this long. */
  async delay(ms: number): Promise<void> {
    if (this.desk.kkm) {
      const kkm = this.desk.kkm;
      kkm.sim.slow(ms);
      setTimeout(() => kkm.sim.slow(0), ms * 3).unref();
    } else await deskHook(this.desk.url, '/api/test/register-fault', { kind: 'delay', ms });
  }

  /** The next card presented at the terminal misbehaves. */
  async card(fault: CardFault): Promise<void> {
    const kkm = this.desk.kkm;
    if (kkm) {
      kkm.terminal.present(
        fault === 'decline'
          ? { behaviour: 'decline', code: '51' }
          : {
              behaviour:
                fault === 'forget' ? 'charge_then_forget' : fault === 'timeout_error' ? 'charge_then_timeout_error' : 'lose_answer',
            },
      );
      return;
    }
    await deskHook(this.desk.url, '/api/test/terminal', {
      present: [fault === 'decline' ? { answer: 'decline', code: '51' } : { answer: 'timeout_after_charge' }],
    });
  }

  /** Every card operation the terminal's bank knows, for the invariants. */
  async cards(token: string | null): Promise<CardOnTerminal[]> {
    const base = (id: string): string => id.replace(/\.\d+$/, '');
    if (this.desk.kkm)
      return this.desk.kkm.terminal
        .ledger()
        .map((e) => ({ opId: base(e.idCommand), operation: e.operation, amountKop: e.amountKop, moved: !e.reversed }));
    const r = await fetch(`${this.desk.url}/api/test/terminal`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(30_000),
    });
    if (!r.ok) throw new Error(`${this.desk.name}: операции терминала → ${r.status}`);
    const items = (
      (await r.json()) as { items: { command_id: string; operation: 'pay' | 'cancel' | 'refund'; amount_kop: number; state: string }[] }
    ).items;
    return items.map((o) => ({ opId: base(o.command_id), operation: o.operation, amountKop: o.amount_kop, moved: o.state === 'approved' }));
  }

  /** Every fiscal receipt the device holds, for the invariants. */
  async receipts(token: string | null): Promise<ReceiptOnDevice[]> {
    if (this.desk.kkm) return this.desk.kkm.device.receipts();
    const r = await fetch(`${this.desk.url}/api/test/receipts`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(30_000),
    });
    if (!r.ok) throw new Error(`${this.desk.name}: чеки ККТ → ${r.status}`);
    return ((await r.json()) as { items: ReceiptOnDevice[] }).items;
  }

  /** Heals what a fault may have left: paper in, device on, normal speed. */
  async heal(): Promise<void> {
    await this.paper(true);
    if (this.desk.kkm) {
      this.desk.kkm.sim.setDeviceActive(1, true);
      this.desk.kkm.sim.slow(0);
      this.desk.kkm.sim.unstick();
    }
  }
}
