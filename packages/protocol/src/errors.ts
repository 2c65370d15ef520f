/**
 * The one error vocabulary of Paydesk: every code any app may answer with, its HTTP status and a
 * Russian title a cashier or an administrator understands. Answers are application/problem+json.
 */
import { z } from 'zod';

export const ERRORS = {
  'validation.failed': { status: 400, title: 'Неверные данные запроса' },
  'request.unsupported_media_type': { status: 415, title: 'Неверный тип содержимого запроса' },
  'request.too_large': { status: 413, title: 'Слишком большой запрос' },
  'request.malformed': { status: 400, title: 'Запрос не читается' },
  'auth.required': { status: 401, title: 'Требуется вход' },
  'auth.invalid_credentials': { status: 401, title: 'Неверный логин или пароль' },
  'auth.key_revoked': { status: 401, title: 'Ключ доступа отозван' },
  'auth.key_expired': { status: 401, title: 'Срок действия ключа доступа истёк' },
  'auth.forbidden': { status: 403, title: 'Недостаточно прав' },
  'auth.rate_limited': { status: 429, title: 'Слишком много попыток, подождите' },
  'auth.user_locked': { status: 403, title: 'Пользователь заблокирован' },
  not_found: { status: 404, title: 'Не найдено' },
  conflict: { status: 409, title: 'Конфликт с текущим состоянием' },
  'sync.protocol_version': { status: 400, title: 'Версия протокола не поддерживается' },
  'sync.gap': { status: 409, title: 'Пропуск в последовательности операций' },
  'sync.epoch_fenced': { status: 409, title: 'Касса переустановлена: старая копия отключена' },
  'sync.hash_mismatch': { status: 400, title: 'Контрольная сумма операции не сходится' },
  'sync.wrong_desk': { status: 403, title: 'Операции другой кассы' },
  'sync.op_conflict': { status: 409, title: 'Операция с этим номером уже принята с другим содержанием' },
  'sync.cursor_invalid': { status: 400, title: 'Неверная позиция синхронизации' },
  'sync.cursor_ahead': { status: 409, title: 'Позиция синхронизации впереди сервера: сервер восстановлен из копии' },
  'sync.seq_reused': { status: 409, title: 'Номера операций кассы уже заняты другими: журнал кассы восстановлен из копии' },
  'feed.cursor_ahead': { status: 409, title: 'Позиция в ленте впереди сервера: сервер восстановлен из копии' },
  'forwarding.not_cancellable': { status: 409, title: 'Платёж уже передан поставщику: отменить нельзя' },
  'enroll.code_invalid': { status: 400, title: 'Код регистрации кассы неверен, использован или истёк' },
  'import.invalid_file': { status: 422, title: 'Файл импорта содержит ошибки' },
  'payment.account_not_found': { status: 404, title: 'Лицевой счёт не найден' },
  'payment.account_closed': { status: 422, title: 'Лицевой счёт закрыт' },
  'payment.invalid': { status: 422, title: 'Платёж не может быть принят' },
  'payment.limit': { status: 422, title: 'Сумма вне допустимых пределов' },
  'payment.tender_insufficient': { status: 422, title: 'Получено меньше суммы платежа' },
  'payment.provider_check_failed': { status: 422, title: 'Поставщик не подтвердил лицевой счёт' },
  'payment.provider_offline_refused': { status: 503, title: 'Поставщик требует онлайн-проверку, а связи нет' },
  'payment.in_progress': { status: 409, title: 'Операция уже выполняется' },
  'payment.failed': { status: 409, title: 'Операция завершилась ошибкой' },
  'op.id_reused': { status: 409, title: 'Этот номер операции уже использован для другой операции' },
  'reading.rejected': { status: 422, title: 'Показание не принято' },
  'reading.needs_confirmation': { status: 422, title: 'Показание требует подтверждения' },
  'reversal.refused': { status: 403, title: 'Сторно не разрешено' },
  'shift.closed': { status: 409, title: 'Смена закрыта' },
  'shift.already_open': { status: 409, title: 'Смена уже открыта' },
  'shift.expired': { status: 409, title: 'Смена длится больше 24 часов' },
  'shift.unsent': { status: 409, title: 'Не все операции смены отправлены на сервер' },
  'desk.not_enrolled': { status: 409, title: 'Касса не зарегистрирована на сервере' },
  'desk.reference_not_loaded': { status: 503, title: 'Справочники ещё не загружены с сервера' },
  'fiscal.paper_out': { status: 409, title: 'В ККТ закончилась бумага' },
  'fiscal.cover_open': { status: 409, title: 'Открыта крышка ККТ' },
  'fiscal.not_enough_cash': { status: 409, title: 'В кассе недостаточно наличных' },
  'fiscal.receipt_open': { status: 409, title: 'В ККТ открыт незавершённый чек' },
  'fiscal.unavailable': { status: 503, title: 'ККТ недоступна' },
  'fiscal.not_agent': { status: 409, title: 'ККТ не зарегистрирована как платёжный агент' },
  'fiscal.outcome_unknown': { status: 409, title: 'Неизвестно, пробит ли чек: идёт сверка с ККТ' },
  'fiscal.rejected': { status: 422, title: 'ККТ отказала в операции' },
  'fiscal.fn_problem': { status: 409, title: 'Проблема фискального накопителя' },
  'fiscal.return_exceeds': { status: 409, title: 'Сумма возврата больше выручки смены' },
  'card.declined': { status: 409, title: 'Банк отказал в операции по карте' },
  'card.unavailable': { status: 503, title: 'Терминал оплаты картой недоступен' },
  'card.outcome_unknown': { status: 409, title: 'Неизвестно, прошла ли операция по карте' },
  'card.reversed': { status: 409, title: 'Операция по карте отменена аварийно' },
  'card.approval_needed': { status: 422, title: 'Нужен код авторизации со слипа терминала' },
  'server.unreachable': { status: 503, title: 'Сервер недоступен' },
  // Said by the desk's own screens when the desk's local service does not answer them at all.
  'desk.unreachable': { status: 503, title: 'Программа кассы не отвечает' },
  internal: { status: 500, title: 'Внутренняя ошибка' },
  unavailable: { status: 503, title: 'Служба временно недоступна' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERRORS;

export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

export function statusOf(code: ErrorCode): number {
  return ERRORS[code].status;
}

export const problemSchema = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int().min(400).max(599),
  code: z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]),
  detail: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

export type Problem = z.infer<typeof problemSchema>;

/** The problem+json body for a code; `detail` is the message for a person, extras help a developer. */
export function problem(code: ErrorCode, detail?: string, extra: Record<string, unknown> = {}): Problem {
  const { status, title } = ERRORS[code];
  return { type: `https://paydesk.example/problems/${code}`, title, status, code, detail: detail ?? title, ...extra };
}

/** The error thrown inside an app; one mapper turns it into problem+json. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly extra: Record<string, unknown>;

  constructor(code: ErrorCode, detail?: string, extra: Record<string, unknown> = {}) {
    super(detail ?? ERRORS[code].title);
    this.name = 'AppError';
    this.code = code;
    this.extra = extra;
  }

  get status(): number {
    return statusOf(this.code);
  }

  toProblem(): Problem {
    return problem(this.code, this.message, this.extra);
  }
}

/** Turns zod issues into the problem's `errors` list: a path and a message per issue. */
export function zodIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(body)', message: i.message }));
}

export function validationProblem(error: z.ZodError, where = 'запроса'): AppError {
  const errors = zodIssues(error);
  const first = errors[0];
  return new AppError('validation.failed', first ? `Неверные данные ${where}: ${first.path} — ${first.message}` : undefined, { errors });
}
