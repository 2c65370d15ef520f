/**
 * The card terminal through KKMServer's acquiring commands (PayByPaymentCard, CancelPaymentByPaymentCard,
 * ReturnPaymentByPaymentCard, EmergencyReversal, Settlement), which drive Сбербанк, ИНПАС, Arcus and
 * Ingenico terminals the same way its fiscal commands drive registers:
 *
 * - IdCommand is the desk's command id. A card operation waits for the payer (card, PIN), so it is
 *   sent with a short `Timeout` and its result polled with GetRezult until final or `answerWithinMs`.
 * - Status 2 (Error) is KKMServer's "not executed": a bank decline or a terminal that refused — nothing
 *   charged. Only a lost answer, a command still running at the deadline, or a reply in a shape this
 *   driver does not know is "outcome unknown".
 * - GetRezult's Status 3 means KKMServer forgot the id (a restart, 100 newer commands): lookup answers
 *   undefined, never "not done".
 */
import { TransportError, sleep } from '../http-json.ts';
import { FiscalError } from '../port.ts';
import type { KkmAnswer, KkmCommand } from '../kkmserver/kkm-mapping.ts';
import { FORGOTTEN, KKM_STATUS, KkmTransport } from '../kkmserver/kkm-transport.ts';
import {
  AcquiringError,
  bankReason,
  maskPan,
  type AcquiringTerminal,
  type CardApproval,
  type CardOperation,
  type CardOriginal,
  type SettlementResult,
} from './port.ts';

/** A field as text: KKMServer sends numbers where strings are documented, and the odd null. */
function text(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

export interface KkmTerminalOptions {
  url: string;
  user?: string;
  password?: string;
  /** KKMServer's number of the terminal (its «Эквайринговый терминал» device); 0: the first free one. */
  numDevice?: number;
  /** How long a payer may take at the pinpad before the outcome is reported unknown. */
  answerWithinMs?: number;
  pollIntervalMs?: number;
  requestTimeoutMs?: number;
}

const COMMANDS: Record<CardOperation, string> = {
  pay: 'PayByPaymentCard',
  cancel: 'CancelPaymentByPaymentCard',
  refund: 'ReturnPaymentByPaymentCard',
};

/** Texts KKMServer puts in Error when the terminal itself is not there (nothing sent to the bank). */
const NO_DEVICE = /не найден|не подключ|порт занят|недоступ|not found/i;
/**
 * An "error" that is really a lost answer: the terminal stopped answering or timed out mid-operation,
 * after the card may have been charged. Such a Status 2 proves nothing.
 */
const LOST = /тайм-?аут|timeout|timed out|time out|нет ответа|не отвеча|превышено время|обрыв|разрыв|connection/i;

function rubles(kop: number): number {
  return Math.round(kop) / 100;
}

function kopOf(value: unknown): number | null {
  const n = typeof value === 'string' ? Number(value.replace(',', '.').replace(/\s/g, '')) : typeof value === 'number' ? value : NaN;
  return Number.isFinite(n) ? Math.round(n * 100) : null;
}

/** KKMServer's slip: lines by CR LF, with its own print markers for rulers and columns. */
export function slipLines(slip: unknown): string[] {
  if (typeof slip !== 'string' || slip.trim() === '') return [];
  const lines = slip.split(/\r?\n/).map((l) =>
    l
      .replace(/<<->>/g, '-'.repeat(32))
      .replace(/<<=>>/g, '='.repeat(32))
      .replace(/<#\d+#>/g, ' ')
      .replace(/\s+$/, ''),
  );
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function bankCodeOf(text: string): string | undefined {
  const m = /(?:код|code|RC)[^\d]{0,12}(\d{2,3})\b/i.exec(text);
  return m?.[1];
}

export class KkmTerminal implements AcquiringTerminal {
  readonly driver = 'kkmserver' as const;
  private readonly transport: KkmTransport;
  private readonly numDevice: number;
  private readonly answerWithinMs: number;
  private readonly pollIntervalMs: number;
  private readonly requestTimeoutMs: number;

  constructor(options: KkmTerminalOptions) {
    this.transport = new KkmTransport(options);
    this.numDevice = options.numDevice ?? 0;
    this.answerWithinMs = options.answerWithinMs ?? 180_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  }

  async pay(commandId: string, amountKop: number): Promise<CardApproval> {
    return this.operate('pay', commandId, amountKop, null);
  }

  async cancel(commandId: string, original: CardOriginal): Promise<CardApproval> {
    return this.operate('cancel', commandId, original.amountKop, original);
  }

  async refund(commandId: string, amountKop: number, original: CardOriginal): Promise<CardApproval> {
    return this.operate('refund', commandId, amountKop, original);
  }

  async emergencyReversal(commandId: string, amountKop: number): Promise<void> {
    const a = await this.run(
      { Command: 'EmergencyReversal', Amount: rubles(amountKop), ReceiptNumber: commandId },
      `${commandId}.reversal`,
    );
    if (a.Status === KKM_STATUS.Error) {
      const text = String(a.Error ?? '');
      if (/нет операц|нечего|не найдена последн|no transaction/i.test(text)) throw new AcquiringError('nothing_to_reverse', text);
      throw new AcquiringError('unavailable', `Аварийная отмена не выполнена: ${text}`, bankCodeOf(text), 'not_done');
    }
  }

  async lookup(commandId: string): Promise<CardApproval | null | undefined> {
    const r = await this.rezult(commandId);
    if (r === FORGOTTEN) return undefined;
    if (r.Status === KKM_STATUS.Error) return LOST.test(String(r.Error ?? '')) ? undefined : null;
    if (r.Status === KKM_STATUS.Ok) return this.approvalOf(r, commandId, null, null);
    if (r.Status === KKM_STATUS.Run || r.Status === KKM_STATUS.NotRun)
      throw new AcquiringError('busy', 'Терминал ещё выполняет эту операцию.', undefined, 'unknown');
    return undefined;
  }

  async settlement(commandId: string): Promise<SettlementResult> {
    const a = await this.run({ Command: 'Settlement' }, commandId);
    if (a.Status === KKM_STATUS.Error)
      throw new AcquiringError('unavailable', `Сверка итогов не выполнена: ${String(a.Error ?? '')}`, undefined, 'not_done');
    return { commandId, slip: slipLines(a['Slip']), totals: null, at: new Date().toISOString() };
  }

  async close(): Promise<void> {}

  private async operate(
    operation: CardOperation,
    commandId: string,
    amountKop: number,
    original: CardOriginal | null,
  ): Promise<CardApproval> {
    const cmd: KkmCommand = {
      Command: COMMANDS[operation],
      CardNumber: '',
      Amount: rubles(amountKop),
      ReceiptNumber: commandId.slice(0, 40),
      ...(original ? { RRNCode: original.rrn, AuthorizationCode: original.authCode } : {}),
    };
    const a = await this.run(cmd, commandId);
    if (a.Status === KKM_STATUS.Error) throw this.refusal(String(a.Error ?? ''));
    return this.approvalOf(a, commandId, operation, amountKop);
  }

  private refusal(text: string): AcquiringError {
    if (LOST.test(text)) return new AcquiringError('outcome_unknown', `KKMServer: ${text}`);
    if (NO_DEVICE.test(text)) return new AcquiringError('unavailable', text, undefined, 'not_done');
    const code = bankCodeOf(text);
    return new AcquiringError('declined', `Причина: ${bankReason(code, text)}${code ? ` (код ${code})` : ''}.`, code);
  }

  private approvalOf(a: KkmAnswer, commandId: string, operation: CardOperation | null, expectedKop: number | null): CardApproval {
    const rrn = text(a['RRNCode']).trim();
    const authCode = text(a['AuthorizationCode']).trim();
    const amountKop = kopOf(a['Amount']) ?? expectedKop;
    // "Ok" without the bank's reference is not an approval the desk can stand behind or refund later.
    if (rrn === '' || amountKop === null)
      throw new AcquiringError('outcome_unknown', 'Терминал ответил «выполнено» без RRN или суммы.', undefined, 'unknown');
    if (expectedKop !== null && amountKop !== expectedKop)
      throw new AcquiringError(
        'outcome_unknown',
        `Терминал провёл ${amountKop / 100} ₽ вместо ${expectedKop / 100} ₽.`,
        undefined,
        'unknown',
      );
    const command = String(a.Command ?? '');
    const op: CardOperation = operation ?? (command === COMMANDS.cancel ? 'cancel' : command === COMMANDS.refund ? 'refund' : 'pay');
    const onTerminal = a['PrintSlipOnTerminal'] === true;
    return {
      commandId,
      operation: op,
      amountKop,
      authCode,
      rrn,
      maskedPan: maskPan(text(a['CardNumber'])),
      cardType: text(a['CardType'] ?? a['PaymentSystem']).trim(),
      slip: onTerminal ? [] : slipLines(a['Slip']),
      printedOnTerminal: onTerminal,
      at: new Date().toISOString(),
    };
  }

  private async rezult(id: string): Promise<KkmAnswer | typeof FORGOTTEN> {
    try {
      return await this.transport.rezult(id, this.requestTimeoutMs);
    } catch (e) {
      throw new AcquiringError('unavailable', `KKMServer не отвечает: ${(e as Error).message}`, undefined, 'unknown');
    }
  }

  /** Sends a command and waits for its final answer; anything unclear is "outcome unknown". */
  private async run(cmd: KkmCommand, id: string): Promise<KkmAnswer> {
    const full: KkmCommand = { ...cmd, NumDevice: this.numDevice, IdCommand: id, Timeout: 2 };
    const deadline = Date.now() + this.answerWithinMs;
    let a: KkmAnswer;
    try {
      a = await this.transport.post(full, this.requestTimeoutMs);
    } catch (e) {
      if (e instanceof FiscalError) throw new AcquiringError('unavailable', e.message, undefined, 'not_done');
      if (e instanceof TransportError && e.notDelivered) throw new AcquiringError('unavailable', e.message, undefined, 'not_done');
      // It may have reached KKMServer: ask.
      const r = await this.rezult(id).catch((): typeof FORGOTTEN => FORGOTTEN);
      if (r === FORGOTTEN) throw new AcquiringError('outcome_unknown', `Ответ KKMServer потерян (${(e as Error).message}).`);
      a = r;
    }
    let pause = this.pollIntervalMs;
    for (;;) {
      if (a.Status === KKM_STATUS.Ok || a.Status === KKM_STATUS.Error) return a;
      if (a.Status === KKM_STATUS.AlreadyDone) {
        const r = await this.rezult(id);
        if (r === FORGOTTEN || r.Status === KKM_STATUS.AlreadyDone)
          throw new AcquiringError('outcome_unknown', 'KKMServer помнит повтор этой команды, но не её результат.');
        a = r;
        continue;
      }
      if (a.Status !== KKM_STATUS.Run && a.Status !== KKM_STATUS.NotRun)
        throw new AcquiringError('outcome_unknown', `Неизвестный статус KKMServer ${String(a.Status)}.`);
      if (Date.now() + pause > deadline) throw new AcquiringError('outcome_unknown', 'Терминал не закончил операцию вовремя.');
      await sleep(pause);
      pause = Math.min(pause * 2, 2_000);
      const r = await this.rezult(id).catch((e: unknown) => e as Error);
      if (r instanceof Error) throw new AcquiringError('outcome_unknown', r.message);
      if (r === FORGOTTEN) throw new AcquiringError('outcome_unknown', 'KKMServer забыл команду, пока она выполнялась.');
      a = r;
    }
  }
}
