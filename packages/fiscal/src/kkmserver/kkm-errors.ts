/**
 * KKMServer's errors in the port's terms. KKMServer answers `Status: 2` with a Russian text and no
 * code field; its own KKT emulator and its Shtrih-M family drivers put the device's code inside the text
 * as "( 61 : ККТ: … )". The code is read first — it means the same however the text is worded — and the
 * text second (ATOL devices and KKMServer's own checks come as plain text).
 *
 * Each rule also says what the error proves about the command:
 * - `refused`: the device, or KKMServer before it, refused the command: nothing was done;
 * - `verify`:  it can strike after the document was fiscalised (paper, printer, cover): only the
 *              device's document counter can tell, so the driver checks it before saying;
 * - `unknown`: the link to the device failed while the command ran.
 *
 * Sources: [E] KKMServer's "Эмулятор ККТ 54-фз" (KktEmulator.CreateTextError), [U] KKMServer's command
 * manager and checks (UnitManager, Unit.CheckDataForFfd), [S] the Shtrih-M ФР error table as public
 * Shtrih drivers list it, [A] ATOL Driver v10 descriptions. See testing/kkm-sim-errors.ts.
 */
import { FiscalError, type FiscalErrorCode, type FiscalOutcome } from '../port.ts';

export type ErrorCertainty = 'refused' | 'verify' | 'unknown';

export interface KkmErrorRule {
  code: FiscalErrorCode;
  certainty: ErrorCertainty;
  /** [E] 61 is one code for a closed shift and an expired one: only the device's shift state tells. */
  shiftAmbiguous?: true;
  source: string;
}

const rule = (code: FiscalErrorCode, certainty: ErrorCertainty, source: string, shiftAmbiguous = false): KkmErrorRule =>
  shiftAmbiguous ? { code, certainty, source, shiftAmbiguous: true } : { code, certainty, source };

/** By the device's code in "( N : ККТ|ФH: … )". */
export const KKM_CODE_RULES: ReadonlyMap<number, KkmErrorRule> = new Map([
  [2, rule('fn_problem', 'refused', 'E 2 ФH: Неверное состояние ФН')],
  [3, rule('fn_problem', 'refused', 'E 3 ФH: Ошибка ФН')],
  [5, rule('fn_problem', 'refused', 'E 5 ФH: Закончен срок эксплуатации ФН')],
  [6, rule('fn_problem', 'refused', 'E 6 ФH: Архив ФН переполнен')],
  [18, rule('fn_problem', 'refused', 'E 18 ФH: Исчерпан ресурс КС')],
  [20, rule('fn_problem', 'refused', 'E 20 ФH: Ресурс для хранения документов для ОФД исчерпан')],
  [21, rule('fn_problem', 'refused', 'E 21 ФH: Исчерпан ресурс ожидания передачи сообщения (30 дней)')],
  [22, rule('shift_expired', 'refused', 'E 22 ФH: Продолжительность смены более 24 часов')],
  [51, rule('rejected', 'refused', 'E 51 ККТ: Некорректные параметры в команде')],
  [60, rule('shift_already_open', 'refused', 'E 60, S 0x3C Смена открыта – операция невозможна')],
  [61, rule('shift_closed', 'refused', 'E 61 Смена не открыта или смена превысила 24 часа; S 0x3D', true)],
  [69, rule('rejected', 'refused', 'E 69 Сумма всех типов оплаты меньше итога чека')],
  [70, rule('not_enough_cash', 'refused', 'E 70, S 0x46 Не хватает наличности в кассе')],
  [73, rule('receipt_open', 'refused', 'E 73 Операция невозможна в открытом чеке данного типа')],
  [74, rule('receipt_open', 'refused', 'E 74, S 0x4A Открыт чек – операция невозможна')],
  [77, rule('rejected', 'refused', 'E 77 Вносимая безналичной оплатой сумма больше суммы чека')],
  [78, rule('shift_expired', 'refused', 'S 0x4E Смена превысила 24 часа')],
  [80, rule('busy', 'refused', 'E 80, S 0x50 Идет печать результатов выполнения предыдущей команды')],
  [88, rule('paper_out', 'verify', 'S 0x58 Ожидание команды продолжения печати')],
  [102, rule('not_agent', 'refused', 'E 102 Код агента не соотвествует зарегистрированному в ККТ')],
  [103, rule('rejected', 'refused', 'E 103 Нет данных агента')],
  [104, rule('rejected', 'refused', 'E 104 Нет данных поставщика')],
  [105, rule('rejected', 'refused', 'E 105 Не указан признак предмета расчета')],
  [106, rule('rejected', 'refused', 'E 106 Не указан признак способа расчета')],
  [107, rule('paper_out', 'verify', 'S 0x6B Нет чековой ленты')],
  [200, rule('unavailable', 'unknown', 'E 200 Нет связи с принтером')],
  [250, rule('unavailable', 'unknown', 'E 250 Основная плата устройства не отвечает')],
  [253, rule('outcome_unknown', 'unknown', 'E 253 Прочие ошибки принтера')],
  [254, rule('unavailable', 'unknown', 'E 254 Принтер в оффлайне')],
  [255, rule('unavailable', 'unknown', 'E 255 Фатальная ошибка устройства')],
]);

/** By the words, in this order, when the text carries no code. */
export const KKM_TEXT_RULES: readonly (readonly [RegExp, KkmErrorRule])[] = [
  [
    /устройство.*не найдено|не найдено.*устройств/i,
    rule('unavailable', 'refused', 'U «Устройство (с параметрами …) не найдено»: no device ran it'),
  ],
  [/истек допустимый период постановки команды/i, rule('busy', 'refused', 'U cancelled in the queue, never started')],
  [
    /не указан|некорректн|нельзя указывать|должен содержать|не заполнено поле|нет фискальных строк|сумма указанных оплат|не правильн|неопознанная команда|не поддерживается/i,
    rule('rejected', 'refused', 'U KKMServer’s checks before the device'),
  ],
  [/идет печать|выполнятеся транзакция|занят/i, rule('busy', 'refused', 'U/E the device is busy with another command')],
  [/бумаг|чеков(ая|ой) лент|контрольн(ая|ой) лент/i, rule('paper_out', 'verify', 'A «Нет бумаги», S «Нет чековой ленты»')],
  [/крышк/i, rule('cover_open', 'verify', 'A «Открыта крышка»')],
  [/смена не открыта или смена превысила/i, rule('shift_closed', 'refused', 'E 61 wording', true)],
  [/превысила 24|более 24 час/i, rule('shift_expired', 'refused', 'A «Смена превысила 24 часа»')],
  [/смена (не открыта|закрыта)/i, rule('shift_closed', 'refused', 'A «Смена закрыта - операция невозможна»')],
  [/смена (уже )?открыта/i, rule('shift_already_open', 'refused', 'A «Смена открыта - операция невозможна»')],
  [
    /(не хватает|недостаточно) (наличност|наличных|денег в кассе)/i,
    rule('not_enough_cash', 'refused', 'A «Не хватает наличности в кассе»'),
  ],
  [/открыт чек|чек открыт/i, rule('receipt_open', 'refused', 'A «Открыт чек - операция невозможна»')],
  [/агент/i, rule('not_agent', 'refused', 'A «ККТ не зарегистрирована как платежный агент»')],
  [/сумма возврата|возврат.*превыша/i, rule('return_exceeds', 'refused', 'A «Сумма возврата превышает накопления»')],
  [/Ф[НH][: ]|фискальн\S* накопит|ОФД/i, rule('fn_problem', 'refused', 'A/E fiscal drive or ОФД')],
  [
    /нет связи|не отвечает|таймаут|timeout|оффлайн|не подключ|ошибка (порта|подключения)/i,
    rule('unavailable', 'unknown', 'A «Нет связи»: the link broke mid-command'),
  ],
];

/** Anything else: nothing certain until the document counter is checked. */
const UNRECOGNISED = rule('rejected', 'verify', 'unrecognised text');

const CODE_IN_TEXT = /\(\s*(\d{1,3})\s*:\s*(?:ФH|ФН|ККТ)\s*:/i;

export interface KkmErrorReading extends KkmErrorRule {
  text: string;
  /** The device's code when the text carried one, else 'kkmserver'. */
  vendorCode: number | string;
}

export function readKkmError(text: string): KkmErrorReading {
  const m = CODE_IN_TEXT.exec(text);
  const vendorCode = m ? Number(m[1]) : 'kkmserver';
  const byCode = m ? KKM_CODE_RULES.get(Number(m[1])) : undefined;
  const found = byCode ?? KKM_TEXT_RULES.find(([re]) => re.test(text))?.[1] ?? UNRECOGNISED;
  return { ...found, text, vendorCode };
}

/** The port's code for a KKMServer error text (a 61 reads as "closed" until the device says otherwise). */
export function kkmErrorCode(text: string): FiscalErrorCode {
  return readKkmError(text).code;
}

export function fiscalErrorOf(r: KkmErrorReading, outcome: FiscalOutcome, code: FiscalErrorCode = r.code): FiscalError {
  return new FiscalError(code, r.text || 'ошибка KKMServer', r.vendorCode, outcome);
}
