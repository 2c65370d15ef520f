/**
 * A card terminal behind KKMServer, speaking KKMServer's acquiring JSON on POST /Execute, with a bank
 * ledger behind it. Written from KKMServer's published command set, not from our driver, and odder than
 * a real one where the format allows it:
 *
 * - a card operation first answers Status 4 (NotRun) or 1 (Run) and is finished only by polling
 *   GetRezult — the payer is at the pinpad; a repeat of a known IdCommand answers Status 5;
 * - KKMServer keeps the last 100 commands and forgets all on `restart()` (GetRezult: Status 3); the
 *   bank's ledger stays, as a bank's does;
 * - sums come back as doubles with float noise, slips with CR LF and KKMServer's print markers;
 * - every card presented can be scripted: approve, decline with a bank code, charge and lose the
 *   answer, charge and forget (KKMServer restarted mid-payment), no terminal, or a slow payer.
 */
import { startJsonServer, type JsonServer } from '@paydesk/fiscal/testing';

/** A field as text: KKMServer sends numbers where strings are documented, and the odd null. */
function text(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

export type SimCard =
  | { behaviour: 'approve'; pan?: string; cardType?: string; polls?: number }
  | { behaviour: 'decline'; code: string; text?: string }
  /** Charged; the HTTP answer is cut, GetRezult still knows it. */
  | { behaviour: 'lose_answer' }
  /** Charged; the answer is cut and KKMServer restarts: GetRezult answers Status 3. */
  | { behaviour: 'charge_then_forget' }
  /** KKMServer has no terminal to send to: Status 2, nothing charged. */
  | { behaviour: 'no_device' }
  /** The card is charged, then KKMServer reports Status 2 «таймаут» — an error that proves nothing. */
  | { behaviour: 'charge_then_timeout_error' }
  /** The payer takes long: Run for this many polls before the answer. */
  | { behaviour: 'slow'; polls: number };

export interface LedgerEntry {
  rrn: string;
  idCommand: string;
  operation: 'pay' | 'cancel' | 'refund';
  amountKop: number;
  originalRrn: string | null;
  reversed: boolean;
  settled: boolean;
  receiptNumber: string;
}

interface Held {
  answer: Record<string, unknown>;
  /** GetRezult polls left before the final answer is given. */
  pollsLeft: number;
}

export interface AcquiringSim {
  url: string;
  port: number;
  /** The next cards presented at the pinpad (for payments); unscripted cards are approved. */
  present(...cards: SimCard[]): void;
  /** KKMServer restarts: it forgets every IdCommand. The bank keeps its ledger. */
  restart(): void;
  /** The bank's ledger: what was really charged and returned. */
  ledger(): LedgerEntry[];
  /** Money taken from cards and not given back, in kopecks. */
  netChargedKop(): number;
  /** Every command received, for tests. */
  received(): Record<string, unknown>[];
  stop(): Promise<void>;
}

export interface AcquiringSimOptions {
  port?: number;
  user?: string;
  password?: string;
  /** Answer the slip as printed on the terminal (PrintSlipOnTerminal: true, no Slip text). */
  printOnTerminal?: boolean;
  /** Polls of Run before a card operation's answer, by default (a payer entering a PIN). */
  defaultPolls?: number;
}

const MEMORY = 100;

function kopOf(v: unknown): number {
  return Math.round(Number(v ?? 0) * 100);
}

/** A double the way KKMServer sends sums: the value, a hair off. */
function noisy(kop: number): number {
  return kop / 100 + (kop % 3 === 0 ? 1e-10 : -1e-10);
}

export async function startAcquiringSim(options: AcquiringSimOptions = {}): Promise<AcquiringSim> {
  const cards: SimCard[] = [];
  const held = new Map<string, Held>();
  const ledger: LedgerEntry[] = [];
  const received: Record<string, unknown>[] = [];
  let rrnCounter = 0;

  const remember = (id: string, h: Held): void => {
    held.delete(id);
    held.set(id, h);
    if (held.size > MEMORY) held.delete(held.keys().next().value as string);
  };

  const base = (cmd: Record<string, unknown>): Record<string, unknown> => ({
    Command: cmd['Command'],
    IdCommand: cmd['IdCommand'],
    NumDevice: 3,
    Error: '',
    Warning: '',
    Message: '',
  });

  const error = (cmd: Record<string, unknown>, text: string): Record<string, unknown> => ({ ...base(cmd), Status: 2, Error: text });

  const slip = (title: string, e: LedgerEntry, pan: string): string =>
    [
      '<<=>>',
      'ПАО ТЕСТБАНК',
      `Терминал:<#0#>00012345`,
      title,
      `Карта:<#0#>${pan}`,
      `Сумма:<#0#>${(e.amountKop / 100).toFixed(2)} руб`,
      `Код авторизации:<#0#>${e.rrn.slice(-6)}`,
      `RRN:<#0#>${e.rrn}`,
      'ОДОБРЕНО',
      '<<->>',
      '',
    ].join('\r\n');

  const approved = (cmd: Record<string, unknown>, e: LedgerEntry, pan: string, cardType: string): Record<string, unknown> => ({
    ...base(cmd),
    Status: 0,
    UniversalID: `RRN:${e.rrn};AC:${e.rrn.slice(-6)};`,
    Amount: noisy(e.amountKop),
    CardNumber: pan,
    CardType: cardType,
    ReceiptNumber: e.receiptNumber,
    RRNCode: e.rrn,
    AuthorizationCode: e.rrn.slice(-6),
    IdProcessing: '',
    PrintSlipOnTerminal: options.printOnTerminal === true,
    Slip: options.printOnTerminal ? '' : slip(e.operation === 'pay' ? 'ОПЛАТА' : e.operation === 'cancel' ? 'ОТМЕНА' : 'ВОЗВРАТ', e, pan),
  });

  const book = (cmd: Record<string, unknown>, operation: LedgerEntry['operation'], originalRrn: string | null): LedgerEntry => {
    rrnCounter++;
    const e: LedgerEntry = {
      rrn: String(400000000000 + rrnCounter),
      idCommand: text(cmd['IdCommand']),
      operation,
      amountKop: kopOf(cmd['Amount']),
      originalRrn,
      reversed: false,
      settled: false,
      receiptNumber: text(cmd['ReceiptNumber']),
    };
    ledger.push(e);
    return e;
  };

  const cardOperation = (
    cmd: Record<string, unknown>,
    operation: LedgerEntry['operation'],
  ): { answer: Record<string, unknown>; polls: number; cut?: 'lose' | 'forget' } => {
    const amountKop = kopOf(cmd['Amount']);
    if (!(amountKop > 0)) return { answer: error(cmd, 'Не указана сумма операции'), polls: 0 };
    if (operation !== 'pay') {
      const rrn = text(cmd['RRNCode']);
      const original = ledger.find((x) => x.rrn === rrn && x.operation === 'pay' && !x.reversed);
      if (!original) return { answer: error(cmd, `Ошибка 12: операция с RRN ${rrn} не найдена`), polls: 1 };
      if (operation === 'cancel' && original.settled)
        return { answer: error(cmd, 'Ошибка 12: отмена невозможна после сверки итогов, выполните возврат'), polls: 1 };
      const back = ledger.filter((x) => x.originalRrn === rrn && !x.reversed).reduce((s, x) => s + x.amountKop, 0);
      if (back + amountKop > original.amountKop) return { answer: error(cmd, 'Отказ, код 13: сумма больше исходной операции'), polls: 1 };
      const e = book(cmd, operation, rrn);
      return { answer: approved(cmd, e, '220000******1234', 'MIR'), polls: options.defaultPolls ?? 1 };
    }
    const card = cards.shift() ?? { behaviour: 'approve' as const };
    switch (card.behaviour) {
      case 'no_device':
        return { answer: error(cmd, 'Устройство не найдено или не подключено'), polls: 0 };
      case 'decline':
        return { answer: error(cmd, card.text ?? `Отказ: код ответа ${card.code}`), polls: options.defaultPolls ?? 1 };
      case 'charge_then_timeout_error': {
        book(cmd, 'pay', null);
        return { answer: error(cmd, 'Ошибка: таймаут ответа от терминала'), polls: 1 };
      }
      case 'lose_answer':
      case 'charge_then_forget': {
        const e = book(cmd, 'pay', null);
        return { answer: approved(cmd, e, '220000******5678', 'MIR'), polls: 0, cut: card.behaviour === 'lose_answer' ? 'lose' : 'forget' };
      }
      default: {
        const e = book(cmd, 'pay', null);
        const pan = card.behaviour === 'approve' && card.pan ? card.pan : '220000******1234';
        const type = card.behaviour === 'approve' && card.cardType ? card.cardType : 'MIR';
        const polls =
          card.behaviour === 'slow'
            ? card.polls
            : card.behaviour === 'approve' && card.polls !== undefined
              ? card.polls
              : (options.defaultPolls ?? 1);
        return { answer: approved(cmd, e, pan, type), polls };
      }
    }
  };

  const execute = (cmd: Record<string, unknown>): { status: number; body: unknown; cut?: 'lose' | 'forget' } => {
    const command = text(cmd['Command']);
    const id = text(cmd['IdCommand']);
    if (command === 'GetRezult') {
      const h = held.get(id);
      if (!h) return { status: 200, body: { Command: 'GetRezult', Status: 3, Error: 'Команда не найдена', Rezult: null } };
      if (h.pollsLeft > 0) {
        h.pollsLeft--;
        const running = { ...h.answer, Status: h.pollsLeft % 2 === 0 ? 1 : 4, Error: '' };
        return { status: 200, body: { Command: 'GetRezult', Status: 0, Error: '', Rezult: running } };
      }
      return { status: 200, body: { Command: 'GetRezult', Status: 0, Error: '', Rezult: h.answer } };
    }
    if (id !== '' && held.has(id))
      return { status: 200, body: { ...base(cmd), Status: 5, Error: 'Команда с этим IdCommand уже выполнялась' } };
    let out: { answer: Record<string, unknown>; polls: number; cut?: 'lose' | 'forget' };
    switch (command) {
      case 'PayByPaymentCard':
        out = cardOperation(cmd, 'pay');
        break;
      case 'CancelPaymentByPaymentCard':
        out = cardOperation(cmd, 'cancel');
        break;
      case 'ReturnPaymentByPaymentCard':
        out = cardOperation(cmd, 'refund');
        break;
      case 'EmergencyReversal': {
        const last = ledger.at(-1);
        const meant = text(cmd['ReceiptNumber']);
        // The terminal cancels its own last operation; one that is not the operation meant is left alone.
        if (!last || last.reversed || (meant !== '' && last.receiptNumber !== meant))
          out = { answer: error(cmd, 'Нет операции для отмены'), polls: 0 };
        else {
          last.reversed = true;
          out = { answer: { ...base(cmd), Status: 0, Slip: 'АВАРИЙНАЯ ОТМЕНА\r\nВЫПОЛНЕНА\r\n' }, polls: 0 };
        }
        break;
      }
      case 'Settlement': {
        const open = ledger.filter((x) => !x.settled && !x.reversed);
        const pay = open.filter((x) => x.operation === 'pay');
        const back = open.filter((x) => x.operation !== 'pay');
        for (const x of ledger) x.settled = true;
        const sum = (xs: LedgerEntry[]): string => (xs.reduce((s, x) => s + x.amountKop, 0) / 100).toFixed(2);
        out = {
          answer: {
            ...base(cmd),
            Status: 0,
            Slip: [
              '<<=>>',
              'СВЕРКА ИТОГОВ',
              `Оплата:<#0#>${pay.length} / ${sum(pay)}`,
              `Возврат:<#0#>${back.length} / ${sum(back)}`,
              'Итоги совпали',
              '',
            ].join('\r\n'),
          },
          polls: 1,
        };
        break;
      }
      case 'PrintSlipOnTerminal':
        out = { answer: { ...base(cmd), Status: 0, PrintSlipOnTerminal: options.printOnTerminal === true }, polls: 0 };
        break;
      default:
        out = { answer: error(cmd, `Неизвестная команда ${command}`), polls: 0 };
    }
    if (id !== '') remember(id, { answer: out.answer, pollsLeft: out.polls });
    if (out.cut === 'forget') held.clear();
    // KKMServer holds the HTTP answer up to Timeout − 1 s; with Timeout ≤ 1 the payer is never waited for.
    const first = out.polls > 0 ? { ...out.answer, Status: 4, Error: '' } : out.answer;
    return { status: 200, body: first, ...(out.cut ? { cut: out.cut } : {}) };
  };

  const authorization =
    options.user !== undefined ? `Basic ${Buffer.from(`${options.user}:${options.password ?? ''}`).toString('base64')}` : undefined;
  let cutNext = false;
  const server: JsonServer = await startJsonServer(async (req) => {
    // The simulator's own controls, for a simulator run as a process (the demo, chaos).
    if (req.path === '/control' && req.method === 'POST') {
      const c = (req.body ?? {}) as { present?: SimCard[]; restart?: boolean };
      if (Array.isArray(c.present)) cards.push(...c.present);
      if (c.restart) held.clear();
      return { status: 200, body: { ok: true } };
    }
    if (req.path === '/control/ledger' && req.method === 'GET')
      return {
        status: 200,
        body: {
          ledger,
          netChargedKop: ledger.filter((e) => !e.reversed).reduce((s, e) => s + (e.operation === 'pay' ? e.amountKop : -e.amountKop), 0),
        },
      };
    if (req.path !== '/Execute' || req.method !== 'POST') return { status: 404, body: { Status: 2, Error: 'Not found' } };
    if (authorization && req.headers['authorization'] !== authorization) return { status: 401, body: { Status: 2, Error: 'Unauthorized' } };
    const cmd = (req.body ?? {}) as Record<string, unknown>;
    received.push(cmd);
    const r = execute(cmd);
    if (r.cut) {
      cutNext = true;
      server.dropNextAnswer(() => {
        const c = cutNext;
        cutNext = false;
        return c;
      });
    }
    return { status: r.status, body: r.body };
  }, options.port ?? 0);

  return {
    url: server.url,
    port: server.port,
    present: (...c) => void cards.push(...c),
    restart: () => held.clear(),
    ledger: () => ledger.map((e) => ({ ...e })),
    netChargedKop: () => ledger.filter((e) => !e.reversed).reduce((s, e) => s + (e.operation === 'pay' ? e.amountKop : -e.amountKop), 0),
    received: () => [...received],
    stop: () => server.stop(),
  };
}
