import { describe, expect, it } from 'vitest';
import type { FiscalErrorCode } from '../port.ts';
import { KKM_CODE_RULES, KKM_TEXT_RULES, readKkmError, type ErrorCertainty } from './kkm-errors.ts';

/** KKMServer's own emulator wording: "<what failed> ( code : ККТ|ФH: text )". */
const emu = (code: number, text: string, what = 'Ошибка регистрации чека'): string => `${what} ( ${code} : ${text} )`;

/** Real texts, each with the port's code and what it proves. Codes first, then words. */
const CASES: [string, FiscalErrorCode, ErrorCertainty][] = [
  [emu(2, 'ФH: Неверное состояние ФН. Данная команда требует другого состояния ФН.', 'Ошибка'), 'fn_problem', 'refused'],
  [emu(3, 'ФH: Ошибка ФН'), 'fn_problem', 'refused'],
  [emu(5, 'ФH: Закончен срок эксплуатации ФН'), 'fn_problem', 'refused'],
  [emu(6, 'ФH: Архив ФН переполнен'), 'fn_problem', 'refused'],
  [emu(18, 'ФH: Исчерпан ресурс КС(криптографического сопроцессора). Требуется закрытие фискального режима'), 'fn_problem', 'refused'],
  [emu(20, 'ФH: Ресурс для хранения документов для ОФД исчерпан'), 'fn_problem', 'refused'],
  [
    emu(
      21,
      'ФH: Исчерпан ресурс Ожидания передачи сообщения. Время нахождения в очереди самого старого сообщения на выдачу более 30 календарных дней.',
    ),
    'fn_problem',
    'refused',
  ],
  [emu(22, 'ФH: Продолжительность смены более 24 часов'), 'shift_expired', 'refused'],
  [emu(51, 'ККТ: Некорректные параметры в команде'), 'rejected', 'refused'],
  [emu(60, 'ККТ: Смена открыта – операция невозможна', 'Ошибка регистрации'), 'shift_already_open', 'refused'],
  [emu(61, 'ККТ: Смена не открыта или смена превысила 24 часа – операция невозможна', 'Ошибка регистрации'), 'shift_closed', 'refused'],
  [emu(69, 'ККТ: Сумма всех типов оплаты меньше итога чека'), 'rejected', 'refused'],
  [emu(70, 'ККТ: Не хватает наличности в кассе', 'Ошибка выемки'), 'not_enough_cash', 'refused'],
  [emu(73, 'ККТ: Операция невозможна в открытом чеке данного типа'), 'receipt_open', 'refused'],
  [emu(74, 'ККТ: Открыт чек – операция невозможна'), 'receipt_open', 'refused'],
  [emu(77, 'ККТ: Вносимая безналичной оплатой сумма больше суммы чека'), 'rejected', 'refused'],
  [emu(78, 'ККТ: Смена превысила 24 часа'), 'shift_expired', 'refused'],
  [emu(80, 'ККТ: Идет печать результатов выполнения предыдущей команды'), 'busy', 'refused'],
  [emu(88, 'ККТ: Ожидание команды продолжения печати'), 'paper_out', 'verify'],
  [emu(102, 'ККТ: Код агента не соотвествует зарегистрированному в ККТ', 'Ошибка записи параметров агента'), 'not_agent', 'refused'],
  [emu(103, 'ККТ: Нет данных агента', 'Ошибка записи параметров агента'), 'rejected', 'refused'],
  [emu(104, 'ККТ: Нет данных поставщика'), 'rejected', 'refused'],
  [
    emu(
      105,
      'ККТ: Не указан признак предмета расчета! ККТ работает по ФФД 1.05/1.1 Признак обязателен',
      'Ошибка регистрации фискальной строки',
    ),
    'rejected',
    'refused',
  ],
  [
    emu(
      106,
      'ККТ: Не указан признак способа расчета! ККТ работает по ФФД 1.05/1.1 Признак обязателен',
      'Ошибка регистрации фискальной строки',
    ),
    'rejected',
    'refused',
  ],
  [emu(107, 'ККТ: Нет чековой ленты'), 'paper_out', 'verify'],
  [emu(200, 'ККТ: Нет связи с принтером'), 'unavailable', 'unknown'],
  [emu(250, 'ККТ: Основная плата устройства не отвечает'), 'unavailable', 'unknown'],
  [emu(253, 'ККТ: Прочие ошибки принтера'), 'outcome_unknown', 'unknown'],
  [emu(254, 'ККТ: Принтер в оффлайне'), 'unavailable', 'unknown'],
  [emu(255, 'ККТ: Фатальная ошибка устройства'), 'unavailable', 'unknown'],
  // Plain texts: KKMServer's own, and ATOL's.
  ['Устройство (с параметрами NumDevice=2) не найдено: не настроено или отключено.', 'unavailable', 'refused'],
  ['Истек допустимый период постановки команды на исполнение из очереди. Команда отменена.', 'busy', 'refused'],
  ['ИНН кассира должен содержать 12 символов', 'rejected', 'refused'],
  ['Некорректный ИНН агента', 'rejected', 'refused'],
  ['На терминале еще выполнятеся транзакция. Отмените транзакцию на терминале!', 'busy', 'refused'],
  ['Нет бумаги', 'paper_out', 'verify'],
  ['Нет чековой ленты', 'paper_out', 'verify'],
  ['Открыта крышка', 'cover_open', 'verify'],
  ['Смена не открыта или смена превысила 24 часа – операция невозможна', 'shift_closed', 'refused'],
  ['Смена превысила 24 часа', 'shift_expired', 'refused'],
  ['Смена закрыта - операция невозможна', 'shift_closed', 'refused'],
  ['Смена открыта - операция невозможна', 'shift_already_open', 'refused'],
  ['Не хватает наличности в кассе', 'not_enough_cash', 'refused'],
  ['Открыт чек - операция невозможна', 'receipt_open', 'refused'],
  ['ККТ не зарегистрирована как платежный агент', 'not_agent', 'refused'],
  ['Сумма возврата превышает накопления', 'return_exceeds', 'refused'],
  ['Ошибка ФН: документы не переданы в ОФД', 'fn_problem', 'refused'],
  ['Нет связи', 'unavailable', 'unknown'],
  ['Что-то совсем другое', 'rejected', 'verify'],
];

describe('KKMServer error table', () => {
  it.each(CASES)('%s → %s (%s)', (text, code, certainty) => {
    const r = readKkmError(text);
    expect([r.code, r.certainty]).toEqual([code, certainty]);
  });

  it('reads the device code before the words', () => {
    // Words alone would say "shift closed"; code 60 says the shift is open.
    expect(readKkmError(emu(60, 'ККТ: Смена закрыта?')).code).toBe('shift_already_open');
    expect(readKkmError(emu(107, 'ККТ: Нет чековой ленты')).vendorCode).toBe(107);
    expect(readKkmError('Нет бумаги').vendorCode).toBe('kkmserver');
  });

  it('marks code 61 as closed-or-expired, for the device to decide', () => {
    expect(readKkmError(emu(61, 'ККТ: Смена не открыта или смена превысила 24 часа – операция невозможна')).shiftAmbiguous).toBe(true);
    expect(readKkmError('Смена закрыта - операция невозможна').shiftAmbiguous).toBeUndefined();
  });

  it('has a case for every entry of the table', () => {
    const codes = new Set(CASES.map(([t]) => readKkmError(t).vendorCode));
    for (const code of KKM_CODE_RULES.keys()) expect(codes, `code ${code}`).toContain(code);
    const plain = CASES.map(([t]) => t).filter((t) => readKkmError(t).vendorCode === 'kkmserver');
    for (const [re] of KKM_TEXT_RULES)
      expect(
        plain.some((t) => re.test(t)),
        String(re),
      ).toBe(true);
  });
});
