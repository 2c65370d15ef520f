/**
 * Sending commands to KKMServer and keeping what they became. KKMServer holds the last 100 commands and
 * forgets them on restart; GetRezult, which asks about one, costs nothing. So this keeps the final answers
 * of the driver's operations, asks about unclear ones (for free) before anything new is sent, and never
 * sends again an operation KKMServer forgot while its outcome was unclear.
 */
import { FiscalError } from '../port.ts';
import { sleep, TransportError } from '../http-json.ts';
import type { KkmAnswer, KkmCommand } from './kkm-mapping.ts';
import { fiscalErrorOf, readKkmError } from './kkm-errors.ts';
import { FORGOTTEN, KKM_STATUS, type KkmTransport } from './kkm-transport.ts';

export interface KkmTiming {
  /** KKMServer's `Timeout`: it holds an HTTP answer up to this − 1 seconds. */
  commandTimeoutS: number;
  /** A command still running after this long answers "outcome unknown" and is settled later. */
  answerWithinMs: number;
  /** The first pause between GetRezult polls; it doubles up to 2 s. */
  pollIntervalMs: number;
  requestTimeoutMs: number;
  statusTimeoutMs: number;
}

/** An operation is tracked until settled; a print may have happened; a read changed nothing. */
export type CommandKind = 'operation' | 'print' | 'read';

const POLL_MAX_MS = 2_000;
const REMEMBERED = 1_000;

function keep<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > REMEMBERED) map.delete(map.keys().next().value as string);
}

function mark(set: Set<string>, key: string): void {
  set.add(key);
  if (set.size > REMEMBERED) set.delete(set.values().next().value as string);
}

export class KkmCommands {
  /** Final answers of this driver's operations: what KKMServer forgets, the driver keeps. */
  private readonly settled = new Map<string, KkmAnswer>();
  /** Operations reported "outcome unknown": asked about before any new command. */
  private readonly unclear = new Set<string>();
  /** Unclear operations KKMServer has since forgotten: never sent again by this driver. */
  private readonly lost = new Set<string>();
  /** Operations KKMServer was still running when the cashier was answered. */
  private readonly running = new Set<string>();
  private sending = 0;

  constructor(
    private readonly transport: KkmTransport,
    private readonly timing: KkmTiming,
    /** NumDevice sent on every command; 0 until KKMServer picks a device, then that one. */
    public numDevice: number,
    /** Called when an operation's outcome becomes unclear: what the driver knew of the register no longer holds. */
    private readonly onUnclear: () => void,
  ) {}

  /** A command of ours is on the device: status reads keep off it meanwhile. */
  get busy(): boolean {
    return this.sending > 0 || this.running.size > 0;
  }

  known(id: string): KkmAnswer | undefined {
    return this.settled.get(id);
  }

  settle(id: string, a: KkmAnswer): KkmAnswer {
    keep(this.settled, id, a);
    this.unclear.delete(id);
    this.lost.delete(id);
    this.running.delete(id);
    return a;
  }

  markUnclear(id: string): void {
    mark(this.unclear, id);
    this.onUnclear();
  }

  markRunning(id: string): void {
    mark(this.running, id);
  }

  /** The device itself refused it: nothing to settle any more. */
  refused(id: string): void {
    this.unclear.delete(id);
    this.lost.delete(id);
    this.running.delete(id);
  }

  isUnclear(id: string): boolean {
    return this.unclear.has(id) || this.lost.has(id);
  }

  /** Which of this driver's receipts a document number is. */
  operationOf(documentNumber: number): string | null {
    for (const [id, a] of this.settled) if (a.Command === 'RegisterCheck' && a.CheckNumber === documentNumber) return id;
    return null;
  }

  rezult(id: string): Promise<KkmAnswer | typeof FORGOTTEN> {
    return this.transport.rezult(id, this.timing.statusTimeoutMs);
  }

  /** With NumDevice 0 KKMServer takes the first free device; staying on it keeps one register's story whole. */
  private pin(a: KkmAnswer): void {
    if (this.numDevice === 0 && typeof a.NumDevice === 'number' && a.NumDevice > 0) this.numDevice = a.NumDevice;
  }

  private unclearFailure(kind: CommandKind, id: string, detail: string, stillRunning: boolean, vendor = 'kkmserver'): FiscalError {
    if (kind === 'read')
      return stillRunning ? new FiscalError('busy', detail, vendor, 'not_done') : new FiscalError('unavailable', detail, vendor);
    if (kind === 'operation') {
      if (stillRunning) this.markRunning(id);
      this.markUnclear(id);
    }
    return new FiscalError('outcome_unknown', detail, vendor, 'unknown');
  }

  /** Sends a command and waits for its final answer (Ok or Error), polling GetRezult with backoff. */
  async run(
    cmd: KkmCommand,
    id: string,
    o: { kind: CommandKind; timeoutS?: number; withinMs?: number; money?: boolean },
  ): Promise<KkmAnswer> {
    const timeoutS = o.timeoutS ?? this.timing.commandTimeoutS;
    const full: KkmCommand = { ...cmd, NumDevice: this.numDevice, IdCommand: id, Timeout: timeoutS };
    const deadline = Date.now() + (o.withinMs ?? this.timing.answerWithinMs);
    this.sending++;
    try {
      let a: KkmAnswer;
      try {
        a = await this.transport.post(
          full,
          o.kind === 'read' ? Math.max(this.timing.statusTimeoutMs, timeoutS * 1000) : this.timing.requestTimeoutMs,
        );
      } catch (e) {
        if (e instanceof FiscalError) throw e;
        const message = (e as Error).message;
        if (e instanceof TransportError && e.notDelivered) throw new FiscalError('unavailable', message, 'transport', 'not_done');
        // The command may have reached KKMServer: ask it.
        const r = await this.rezult(id).catch(() => null);
        if (r === null || r === FORGOTTEN)
          throw this.unclearFailure(o.kind, id, `ответ KKMServer потерян (${message})`, false, 'transport');
        a = r;
      }
      return await this.awaitFinal(id, a, deadline, o.kind, o.money === true);
    } finally {
      this.sending--;
    }
  }

  private async awaitFinal(id: string, first: KkmAnswer, deadline: number, kind: CommandKind, money: boolean): Promise<KkmAnswer> {
    let a = first;
    let pause = this.timing.pollIntervalMs;
    for (;;) {
      if (a.Status === KKM_STATUS.Ok || a.Status === KKM_STATUS.Error) {
        this.pin(a);
        return a;
      }
      if (a.Status === KKM_STATUS.AlreadyDone) {
        // The original ran, or runs, under this id: its own answer is what counts.
        const r = await this.rezult(id).catch(() => null);
        if (r === null || r === FORGOTTEN || r.Status === KKM_STATUS.AlreadyDone)
          throw this.unclearFailure(kind, id, 'KKMServer помнит повтор этой команды, но не её результат', false);
        a = r;
        continue;
      }
      if (a.Status !== KKM_STATUS.Run && a.Status !== KKM_STATUS.NotRun)
        throw this.unclearFailure(kind, id, `неизвестный статус KKMServer ${String(a.Status)}`, false);
      if (Date.now() + pause > deadline)
        throw this.unclearFailure(kind, id, money ? 'ККТ занята: платёж ещё проводится' : 'ККТ занята: команда ещё выполняется', true);
      await sleep(pause);
      pause = Math.min(pause * 2, POLL_MAX_MS);
      const r = await this.rezult(id).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
      if (r instanceof Error) throw this.unclearFailure(kind, id, `KKMServer не отвечает (${r.message})`, true, 'transport');
      if (r === FORGOTTEN) throw this.unclearFailure(kind, id, 'KKMServer забыл команду, пока она выполнялась', false);
      a = r;
    }
  }

  /** Asks KKMServer about unclear operations; the ones it forgot are never sent again. */
  async pollUnclear(): Promise<void> {
    for (const id of [...this.unclear]) {
      const r = await this.rezult(id).catch(() => null);
      // KKMServer does not answer: the others would wait out the same timeout.
      if (r === null) return;
      if (r === FORGOTTEN) {
        this.unclear.delete(id);
        this.running.delete(id);
        mark(this.lost, id);
      } else if (r.Status === KKM_STATUS.Ok) {
        this.settle(id, r);
      } else if (r.Status === KKM_STATUS.Error) {
        this.running.delete(id);
        if (readKkmError(r.Error ?? '').certainty === 'refused') this.unclear.delete(id);
      } else if (r.Status === KKM_STATUS.Run || r.Status === KKM_STATUS.NotRun) {
        this.markRunning(id);
      }
    }
  }

  /** Before a new command: settle what is unclear; refuse while the register still runs another one of ours. */
  async settleOthers(except: string): Promise<void> {
    await this.pollUnclear();
    if ([...this.running].some((id) => id !== except)) {
      throw new FiscalError('busy', 'ККТ ещё выполняет предыдущую операцию; новая не отправлена', 'kkmserver', 'not_done');
    }
  }

  /** An operation sent before with an unclear outcome: its answer if KKMServer has it, null if it was refused. */
  async askAgain(id: string): Promise<KkmAnswer | null> {
    const r = await this.rezult(id).catch(() => null);
    if (r === null) throw new FiscalError('unavailable', 'KKMServer не отвечает', 'transport', 'unknown');
    if (r === FORGOTTEN) {
      this.unclear.delete(id);
      mark(this.lost, id);
      throw new FiscalError(
        'outcome_unknown',
        'KKMServer больше не помнит эту операцию: её исход решит сверка со счётчиками ККТ',
        'kkmserver',
        'unknown',
      );
    }
    if (r.Status === KKM_STATUS.Ok) return this.settle(id, r);
    if (r.Status === KKM_STATUS.Error) {
      const reading = readKkmError(r.Error ?? '');
      if (reading.certainty !== 'refused') throw fiscalErrorOf(reading, 'unknown');
      this.refused(id);
      return null;
    }
    if (r.Status === KKM_STATUS.Run || r.Status === KKM_STATUS.NotRun) this.markRunning(id);
    throw new FiscalError('outcome_unknown', 'ККТ ещё выполняет эту операцию', 'kkmserver', 'unknown');
  }
}
