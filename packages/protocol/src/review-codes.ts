/**
 * The closed table of review codes: what the server says about an operation it took but a person must
 * look at (a push's `applied_with_review`), about one it refused, and what its workers and the
 * providers' reconciliation find. Beside `ERRORS` (the codes a request is refused with), these are the
 * other codes that leave the server: a desk shows them, the back office lists them, an integrator reads
 * them in the payment detail. Each has its Russian title, which the back office shows instead of the code.
 */
export const REVIEW = {
  // A payment, a sale, a reading taken by a desk that the server's own data disagrees with.
  'payment.above_debt': { title: 'Оплачено больше долга' },
  'payment.account_closed': { title: 'Оплата на закрытый лицевой счёт' },
  'payment.account_unknown': { title: 'Лицевой счёт неизвестен серверу' },
  'payment.commission_mismatch': { title: 'Вознаграждение не совпадает с правилом поставщика' },
  'payment.limit': { title: 'Сумма вне пределов поставщика' },
  'payment.price_item_unknown': { title: 'Услуги нет в прейскуранте' },
  'payment.price_mismatch': { title: 'Цена не совпадает с прейскурантом' },
  'payment.provider_inactive': { title: 'Поставщик третьих лиц отключён' },
  'payment.provider_unknown': { title: 'Поставщик третьих лиц неизвестен' },
  'payment.reversed_before_arrival': { title: 'Сторно пришло раньше платежа' },
  'payment.supplier_mismatch': { title: 'Поставщик строки не тот, что в начислении' },
  'payment.unknown_service': { title: 'Услуга неизвестна серверу' },
  'payment.unknown_supplier': { title: 'Поставщик строки неизвестен серверу' },
  'reading.check_failed': { title: 'Показание не прошло проверку' },
  'reading.meter_unknown': { title: 'Счётчик неизвестен серверу' },
  'reading.wrong_account': { title: 'Счётчик другого лицевого счёта' },
  'reversal.amount_mismatch': { title: 'Сумма сторно не равна платежу' },
  'reversal.duplicate': { title: 'Второе сторно одного платежа' },
  'reversal.forwarded': { title: 'Сторно платежа, уже зачисленного поставщиком' },
  'reversal.unknown_original': { title: 'Сторно платежа, которого нет на сервере' },
  'shift.totals_mismatch': { title: 'Итоги смены: ККТ и журнал расходятся' },
  'cash.difference_inconsistent': { title: 'Пересчёт кассы: разница не сходится' },
  'fiscal.settled_by_hand': { title: 'Чек сверен вручную старшим кассиром' },
  // The push itself.
  'sync.duplicate': { title: 'Операция уже принята ранее' },
  'sync.op_conflict': { title: 'Номер операции уже занят другой операцией' },
  'sync.body_trimmed': { title: 'Принято без неизвестных полей' },
  'sync.rejected': { title: 'Операция не читается: отклонена' },
  'sync.unapplicable': { title: 'Операция не проводится: отклонена' },
  // Forwarding third parties' payments and reconciling with the providers.
  'forwarding.failed': { title: 'Поставщик отказал в зачислении' },
  'forwarding.stuck': { title: 'Поставщик долго не подтверждает платёж' },
  'forwarding.held_too_long': { title: 'Платёж долго снят с передачи для возврата' },
  'reconcile.unknown_to_us': { title: 'Поставщик зачислил платёж, которого у нас нет' },
  'reconcile.mismatch': { title: 'Сумма или счёт у поставщика другие' },
  'reconcile.refunded_and_credited': { title: 'Возвращён наличными и зачислен поставщиком' },
  'reconcile.missing_at_provider': { title: 'Подтверждённого платежа нет в реестре поставщика' },
} as const satisfies Record<string, { title: string }>;

export type ReviewCode = keyof typeof REVIEW;

export const REVIEW_CODES = Object.keys(REVIEW) as ReviewCode[];

/** The title of a review code, or the code itself for one a newer server wrote (the table is closed per version). */
export function reviewTitle(code: string): string {
  return Object.hasOwn(REVIEW, code) ? REVIEW[code as ReviewCode].title : code;
}
