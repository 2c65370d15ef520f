/**
 * The error answers of the simulated KKMServer, as KKMServer and the devices behind it word them.
 * KKMServer has no error codes of its own in its answers: `Status: 2` and a Russian `Error` text.
 * Its own KKT emulator, and its Shtrih-M family drivers, put the device's code in the text as
 * "<what failed> ( <code> : <ФH|ККТ>: <description> )". ATOL devices come through as plain text.
 *
 * Sources (public; read, not copied):
 *  [E] KKMServer's "Эмулятор ККТ 54-фз" (KkmFactory.KktEmulator.CreateTextError, as published with
 *      KKMServer's decompiled sources on GitHub): the "( code : text )" format, codes 2, 21, 22, 51, 60,
 *      61 («Смена не открыта или смена превысила 24 часа» — one code for a closed and an expired shift),
 *      69, 70, 74, 102, 250; "ФH:" is spelled with a Latin H there.
 *  [U] KKMServer's command manager (KkmFactory.UnitManager, Unit.CheckDataForFfd, Unit.GetDataCheck):
 *      «Устройство (с параметрами NumDevice=N) не найдено: не настроено или отключено.», «Истек
 *      допустимый период постановки команды…», «Не указан кассир», «ИНН кассира должен содержать 12
 *      символов», «Не удалось получить номер последнего документа».
 *  [S] Shtrih-M ФР error table, as public Shtrih drivers list it: 0x6B (107) «Нет чековой ленты»,
 *      0x4E (78) «Смена превысила 24 часа», 0x58 (88) «Ожидание команды продолжения печати».
 *  [A] ATOL Driver v10 descriptions as the project's earlier simulator had them (plain text, no code).
 */
import type { FiscalErrorCode } from '../port.ts';

export type DeviceModel = 'atol' | 'shtrih';

/** What went wrong on the device, in the words each model uses; `code` only where the model shows one. */
const TABLE: Record<FiscalErrorCode, { atol: string; shtrih: { code: number; text: string; source: string } | null }> = {
  paper_out: { atol: 'Нет бумаги', shtrih: { code: 107, text: 'ККТ: Нет чековой ленты', source: 'S 0x6B' } },
  cover_open: { atol: 'Открыта крышка', shtrih: null },
  // [E] gives 61 for both; a Shtrih with its own table would say 78 for the expired one.
  shift_expired: {
    atol: 'Смена превысила 24 часа',
    shtrih: { code: 61, text: 'ККТ: Смена не открыта или смена превысила 24 часа – операция невозможна', source: 'E 61' },
  },
  shift_closed: {
    atol: 'Смена закрыта - операция невозможна',
    shtrih: { code: 61, text: 'ККТ: Смена не открыта или смена превысила 24 часа – операция невозможна', source: 'E 61' },
  },
  shift_already_open: {
    atol: 'Смена открыта - операция невозможна',
    shtrih: { code: 60, text: 'ККТ: Смена открыта – операция невозможна', source: 'E 60' },
  },
  not_enough_cash: {
    atol: 'Не хватает наличности в кассе',
    shtrih: { code: 70, text: 'ККТ: Не хватает наличности в кассе', source: 'E 70' },
  },
  receipt_open: {
    atol: 'Открыт чек - операция невозможна',
    shtrih: { code: 74, text: 'ККТ: Открыт чек – операция невозможна', source: 'E 74' },
  },
  // «соотвествует» is the emulator's own spelling.
  not_agent: {
    atol: 'ККТ не зарегистрирована как платежный агент',
    shtrih: { code: 102, text: 'ККТ: Код агента не соотвествует зарегистрированному в ККТ', source: 'E 102' },
  },
  return_exceeds: { atol: 'Сумма возврата превышает накопления', shtrih: null },
  fn_problem: {
    atol: 'Исчерпан ресурс ожидания передачи сообщения в ОФД',
    shtrih: {
      code: 21,
      text: 'ФH: Исчерпан ресурс Ожидания передачи сообщения. Время нахождения в очереди самого старого сообщения на выдачу более 30 календарных дней.',
      source: 'E 21',
    },
  },
  unavailable: { atol: 'Нет связи', shtrih: { code: 250, text: 'ККТ: Основная плата устройства не отвечает', source: 'E 250' } },
  busy: { atol: 'Устройство занято', shtrih: null },
  outcome_unknown: { atol: 'Неизвестное состояние документа', shtrih: null },
  rejected: { atol: 'Неверные параметры команды', shtrih: { code: 51, text: 'ККТ: Некорректные параметры в команде', source: 'E 51' } },
};

/** What failed, as the emulator prefixes its texts ([E]: «Ошибка регистрации», «Ошибка выемки»…). */
function prefixOf(command: string): string {
  if (command === 'RegisterCheck') return 'Ошибка регистрации чека';
  if (command === 'PaymentCash') return 'Ошибка выемки';
  return 'Ошибка регистрации';
}

export function deviceErrorText(model: DeviceModel, code: FiscalErrorCode, command: string): string {
  const row = TABLE[code];
  if (model === 'shtrih' && row.shtrih) return `${prefixOf(command)} ( ${row.shtrih.code} : ${row.shtrih.text} )`;
  return row.atol;
}

/** [U] KKMServer's own words. */
export const KKM_TEXT = {
  notFound: 'Команда с таким IdCommand не найдена',
  alreadyDone: 'Команда уже была выполнена или выполняется в текущий момент',
  noId: 'Не указан Id команды!',
  queueExpired: 'Истек допустимый период постановки команды на исполнение из очереди. Команда отменена.',
  noLastDocument: 'Не удалось получить номер последнего документа',
  noCheckData: 'Не удалось получить данные чека',
  noCashier: 'Не указан кассир',
  cashierInnLength: 'ИНН кассира должен содержать 12 символов',
  cashierInnBad: 'Некорректный ИНН кассира',
  noFiscalLines: 'В чеке нет фискальных строк!!!',
  paymentsBelowTotal: 'Сумма указанных оплат меньше чем сумма по строкам чека',
  unknownCommand: (name: string): string => `Неопознанная команда ${name}`,
  deviceNotFound: (numDevice: number): string =>
    `Устройство (с параметрами${numDevice !== 0 ? ` NumDevice=${numDevice}` : ''}) не найдено: не настроено или отключено.`,
};

/** The ИНН checksum KKMServer applies to CashierVATIN ([U] ChekINN), 12 digits for a person. */
export function innIsValid(inn: string): boolean {
  if (!/^\d{10}$|^\d{12}$/.test(inn)) return false;
  const d = [...inn].map(Number);
  const check = (weights: number[]): number => (weights.reduce((s, w, i) => s + w * (d[i] ?? 0), 0) % 11) % 10;
  if (d.length === 10) return check([2, 4, 10, 3, 5, 9, 4, 6, 8]) === d[9];
  return check([7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) === d[10] && check([3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) === d[11];
}
