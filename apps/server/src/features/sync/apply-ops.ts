/**
 * What each operation does to the system of record. A payment taken is a fact: whatever the billing
 * says now (account closed, debt paid elsewhere, unknown service), it is recorded, and anything odd
 * goes to the review queue. Handlers only fill the batch; nothing here touches the database.
 */
import {
  checkLimits,
  checkReading,
  computeCommission,
  expectedBillingCommission,
  formatRub,
  NO_COMMISSION,
  type CommissionRule,
} from '@paydesk/domain';
import type {
  CashCountedBody,
  CashMoveBody,
  ErrorCode,
  OpType,
  PaymentAcceptedBody,
  PaymentReversedBody,
  ReadingSubmittedBody,
  ReviewCode,
  ServiceSoldBody,
  ShiftClosedBody,
  CorrectionMadeBody,
  ShiftOpenedBody,
  ThirdPartyAcceptedBody,
} from '@paydesk/protocol';
import { chargeKey, type Batch, type Lookups, type ReviewDraft } from './batch.ts';
import { pgJson } from '../../db/pg-json.ts';
import { isoInZone } from '../settings/time-zone.ts';

export interface ApplyContext {
  deskId: string;
  pointId: string;
  batch: Batch;
  lookups: Lookups;
}

export interface OpOutcome {
  outcome: 'applied' | 'applied_with_review' | 'rejected';
  /** A review code when applied with review; an error code (validation.failed) or a sync review code when rejected. */
  code?: ReviewCode | ErrorCode;
  message?: string;
}

class Findings {
  readonly items: ReviewDraft[] = [];

  constructor(
    private readonly opId: string,
    private readonly kind: string,
  ) {}

  add(code: ReviewCode, message: string, context: Record<string, unknown> = {}): void {
    this.items.push({ kind: this.kind, code, message, opId: this.opId, context });
  }

  outcome(batch: Batch): OpOutcome {
    batch.review.push(...this.items);
    const first = this.items[0];
    return first ? { outcome: 'applied_with_review', code: first.code, message: first.message } : { outcome: 'applied' };
  }
}

function fiscalJson(body: { fiscal: unknown }): string {
  return pgJson(body.fiscal);
}

/** 14-digit local time, as OSMP's txn_date wants it (Moscow time by convention). */
/** OSMP's txn_date: the acceptance time on the organisation's clocks (the docs' «local»), YYYYMMDDHHMMSS. */
export function osmpDate(iso: string, timeZone: string): string {
  return isoInZone(timeZone, new Date(iso)).replace(/[-:T]/g, '').slice(0, 14);
}

function applyBilling(ctx: ApplyContext, opId: string, b: PaymentAcceptedBody): OpOutcome {
  const f = new Findings(opId, 'payment');
  const { lookups, batch } = ctx;
  const account = lookups.accounts.get(b.accountNumber);
  if (!account) f.add('payment.account_unknown', `Лицевой счёт ${b.accountNumber} неизвестен серверу`, { accountNumber: b.accountNumber });
  else if (account.status === 'closed')
    f.add('payment.account_closed', `Лицевой счёт ${b.accountNumber} закрыт в биллинге`, { accountNumber: b.accountNumber });
  const bySupplier = new Map<string, number>();
  const supplierOfLine: (string | null)[] = [];
  b.lines.forEach((line, i) => {
    const service = lookups.services.get(line.serviceCode);
    const key = chargeKey(b.accountNumber, line.serviceCode, line.period);
    const charge = lookups.charges.get(key);
    // Whose money the line is: the supplier the desk printed on the receipt, when the server knows it;
    // else the charge's own; else the service's (issue 24 item 11).
    const named = line.supplierId && lookups.suppliers.has(line.supplierId) ? line.supplierId : null;
    if (line.supplierId && !named)
      f.add('payment.unknown_supplier', `Поставщик ${line.supplierId} строки ${line.serviceCode} неизвестен серверу`, {
        supplierId: line.supplierId,
      });
    const supplierId = named ?? charge?.supplierId ?? service?.supplierId ?? null;
    if (named && charge?.supplierId !== undefined && named !== (charge.supplierId ?? service?.supplierId)) {
      f.add('payment.supplier_mismatch', `Строка ${line.serviceCode} за ${line.period} оплачена поставщику, которого нет в начислении`, {
        supplierId: named,
        chargeSupplierId: charge.supplierId ?? service?.supplierId ?? null,
      });
    }
    supplierOfLine.push(supplierId);
    if (!service) f.add('payment.unknown_service', `Услуга ${line.serviceCode} неизвестна серверу`, { serviceCode: line.serviceCode });
    else if (supplierId) bySupplier.set(supplierId, (bySupplier.get(supplierId) ?? 0) + line.amountKop + line.penaltyKop);
    if (charge) {
      const remaining = charge.dueKop - charge.paidKop;
      const remainingPenalty = charge.penaltyKop - charge.paidPenaltyKop;
      if (line.amountKop > Math.max(remaining, 0) || line.penaltyKop > Math.max(remainingPenalty, 0)) {
        f.add(
          'payment.above_debt',
          `Оплата ${formatRub(line.amountKop + line.penaltyKop)} за «${service?.name ?? line.serviceCode}» за ${line.period.slice(5, 7)}.${line.period.slice(0, 4)} больше долга ${formatRub(Math.max(remaining, 0) + Math.max(remainingPenalty, 0))}`,
          {
            serviceCode: line.serviceCode,
            period: line.period,
            amountKop: line.amountKop,
            penaltyKop: line.penaltyKop,
            remainingKop: remaining,
            remainingPenaltyKop: remainingPenalty,
          },
        );
      }
      // Later payments in the same batch see this one.
      charge.paidKop += line.amountKop;
      charge.paidPenaltyKop += line.penaltyKop;
    } else if (account && service) {
      lookups.charges.set(key, { dueKop: 0, penaltyKop: 0, paidKop: line.amountKop, paidPenaltyKop: line.penaltyKop });
    }
    if (account && service) batch.addCharge(b.accountNumber, line.serviceCode, line.period, line.amountKop, line.penaltyKop);
    batch.lines.push({
      op_id: opId,
      line_no: i + 1,
      code: line.serviceCode,
      name: service?.name ?? null,
      supplier_id: supplierId,
      period: line.period,
      amount_kop: line.amountKop,
      penalty_kop: line.penaltyKop,
      commission_kop: line.commissionKop ?? 0,
    });
  });
  for (const [supplierId, principal] of bySupplier) {
    const supplier = lookups.suppliers.get(supplierId);
    if (!supplier) continue;
    const limit = checkLimits({ amountKop: principal, agentType: supplier.agentType, subagentCapKop: lookups.settings.subagentCapKop });
    if (!limit.ok && limit.code === 'limit.subagent_cap')
      f.add('payment.limit', `${supplier.name}: ${limit.message}`, { supplierId, principalKop: principal });
  }
  const allServicesKnown = b.lines.every((l) => lookups.services.has(l.serviceCode));
  if (allServicesKnown) {
    // The desk's own rule (domain billingCommission), read back from what the desk recorded: each supplier's
    // rule once per payment on what the payer gave it, an included fee counted back in (issue 16 item 10).
    const recorded = b.lines.map((l, i) => ({
      supplier: supplierOfLine[i] ?? '',
      amountKop: l.amountKop,
      penaltyKop: l.penaltyKop,
      commissionKop: l.commissionKop,
    }));
    const expected = expectedBillingCommission(
      recorded,
      (id) => (lookups.suppliers.get(id)?.commission as CommissionRule | undefined) ?? NO_COMMISSION,
      b.commissionKop,
    );
    const wrongSplit = expected.suppliers.filter((s) => s.recordedKop !== null && s.recordedKop !== s.expectedKop);
    if (expected.commissionKop !== b.commissionKop || wrongSplit.length > 0) {
      const message =
        expected.commissionKop !== b.commissionKop
          ? `Комиссия ${formatRub(b.commissionKop)} не совпадает с правилами поставщиков (${formatRub(expected.commissionKop)})`
          : `Комиссия ${formatRub(b.commissionKop)} разнесена по поставщикам не по их правилам`;
      f.add('payment.commission_mismatch', message, {
        commissionKop: b.commissionKop,
        expectedKop: expected.commissionKop,
        suppliers: wrongSplit.map((s) => ({
          supplierId: s.supplier,
          baseKop: s.baseKop,
          expectedKop: s.expectedKop,
          recordedKop: s.recordedKop,
        })),
      });
    }
  }
  const principal = b.totalKop - b.commissionKop;
  batch.payments.push({
    op_id: opId,
    desk_id: ctx.deskId,
    point_id: ctx.pointId,
    cashier_id: b.cashierId,
    kind: 'billing',
    number: b.number,
    account_number: b.accountNumber,
    provider_code: null,
    provider_account: null,
    accepted_at: b.acceptedAt,
    shift_number: b.shiftNumber,
    method: b.method,
    tendered_kop: b.tenderedKop ?? null,
    total_kop: b.totalKop,
    commission_kop: b.commissionKop,
    principal_kop: principal,
    fiscal: fiscalJson(b),
    reversed_by: null,
    review: f.items.length > 0,
  });
  lookups.payments.set(opId, {
    opId,
    kind: 'billing',
    deskId: ctx.deskId,
    state: 'accepted',
    totalKop: b.totalKop,
    commissionKop: b.commissionKop,
    accountNumber: b.accountNumber,
    providerCode: null,
    fresh: true,
    lines: b.lines.map((l) => ({
      code: l.serviceCode,
      period: l.period,
      amountKop: l.amountKop,
      penaltyKop: l.penaltyKop,
      commissionKop: l.commissionKop ?? 0,
    })),
  });
  batch.feed.push({
    opId,
    kind: 'payment',
    at: b.acceptedAt,
    payload: {
      number: b.number,
      accountNumber: b.accountNumber,
      acceptedAt: b.acceptedAt,
      method: b.method,
      totalKop: b.totalKop,
      commissionKop: b.commissionKop,
      deskId: ctx.deskId,
      pointId: ctx.pointId,
      lines: b.lines,
      fiscal: b.fiscal,
    },
  });
  reverseIfAlreadyReversed(ctx, opId, f);
  return f.outcome(batch);
}

/** A reversal may arrive before its payment (another desk reversed it first): apply it now. */
function reverseIfAlreadyReversed(ctx: ApplyContext, opId: string, f: Findings): void {
  const reversal = ctx.lookups.reversalsOf.get(opId);
  if (!reversal) return;
  const facts = ctx.lookups.payments.get(opId);
  if (!facts) return;
  undoPayment(ctx, facts, reversal);
  f.add('payment.reversed_before_arrival', 'Платёж пришёл позже своего сторно; сторно применено', { reversalOpId: reversal });
}

function undoPayment(ctx: ApplyContext, facts: NonNullable<ReturnType<Lookups['payments']['get']>>, reversalOpId: string): void {
  facts.state = 'reversed';
  ctx.batch.reversedPayments.set(facts.opId, reversalOpId);
  if (facts.kind === 'billing' && facts.accountNumber && ctx.lookups.accounts.has(facts.accountNumber)) {
    for (const l of facts.lines) {
      if (!l.period || !ctx.lookups.services.has(l.code)) continue;
      ctx.batch.addCharge(facts.accountNumber, l.code, l.period, -l.amountKop, -l.penaltyKop);
      const charge = ctx.lookups.charges.get(chargeKey(facts.accountNumber, l.code, l.period));
      if (charge) {
        charge.paidKop -= l.amountKop;
        charge.paidPenaltyKop -= l.penaltyKop;
      }
    }
  }
}

function applyThirdParty(ctx: ApplyContext, opId: string, b: ThirdPartyAcceptedBody): OpOutcome {
  const f = new Findings(opId, 'payment');
  const provider = ctx.lookups.providers.get(b.providerCode);
  if (!provider) f.add('payment.provider_unknown', `Поставщик ${b.providerCode} неизвестен серверу`, { providerCode: b.providerCode });
  else {
    if (!provider.active) f.add('payment.provider_inactive', `Поставщик ${b.providerCode} отключён`, { providerCode: b.providerCode });
    // On top: the fee is taken on what the provider gets; included: on what the payer hands over.
    const rule = provider.commission as CommissionRule;
    const expectedKop = computeCommission(rule, rule.mode === 'included' ? b.totalKop : b.amountKop).commissionKop;
    if (expectedKop !== b.commissionKop) {
      f.add(
        'payment.commission_mismatch',
        `Комиссия ${formatRub(b.commissionKop)} не совпадает с правилом поставщика (${formatRub(expectedKop)})`,
        { commissionKop: b.commissionKop, expectedKop },
      );
    }
    const limit = checkLimits({
      amountKop: b.amountKop,
      agentType: provider.agentType,
      subagentCapKop: ctx.lookups.settings.subagentCapKop,
      ...(provider.minKop !== null ? { minKop: provider.minKop } : {}),
      ...(provider.maxKop !== null ? { maxKop: provider.maxKop } : {}),
    });
    if (!limit.ok) f.add('payment.limit', limit.message, { amountKop: b.amountKop });
  }
  const principal = b.totalKop - b.commissionKop;
  ctx.batch.payments.push({
    op_id: opId,
    desk_id: ctx.deskId,
    point_id: ctx.pointId,
    cashier_id: b.cashierId,
    kind: 'thirdparty',
    number: b.number,
    account_number: null,
    provider_code: b.providerCode,
    provider_account: b.account,
    accepted_at: b.acceptedAt,
    shift_number: b.shiftNumber,
    method: b.method,
    tendered_kop: b.tenderedKop ?? null,
    total_kop: b.totalKop,
    commission_kop: b.commissionKop,
    principal_kop: principal,
    fiscal: fiscalJson(b),
    reversed_by: null,
    review: f.items.length > 0,
  });
  ctx.batch.lines.push({
    op_id: opId,
    line_no: 1,
    code: b.providerCode,
    name: null,
    supplier_id: null,
    period: null,
    amount_kop: principal,
    penalty_kop: 0,
    commission_kop: b.commissionKop,
  });
  if (provider && provider.channel === 'osmp') {
    ctx.batch.forwardings.push({
      op_id: opId,
      desk_id: ctx.deskId,
      provider_code: b.providerCode,
      account: b.account,
      amount_kop: principal,
      txn_id: '' /* assigned under the stamping lock: push-writes.ts */,
      txn_date: osmpDate(b.acceptedAt, ctx.lookups.settings.timeZone),
      state: 'queued',
      prv_txn: null,
      result_code: null,
      comment: null,
    });
    ctx.lookups.forwardingStates.set(opId, 'queued');
  }
  ctx.lookups.payments.set(opId, {
    opId,
    kind: 'thirdparty',
    deskId: ctx.deskId,
    state: 'accepted',
    totalKop: b.totalKop,
    commissionKop: b.commissionKop,
    accountNumber: null,
    providerCode: b.providerCode,
    fresh: true,
    lines: [],
  });
  reverseIfAlreadyReversed(ctx, opId, f);
  return f.outcome(ctx.batch);
}

function applyServiceSale(ctx: ApplyContext, opId: string, b: ServiceSoldBody): OpOutcome {
  const f = new Findings(opId, 'payment');
  b.items.forEach((item, i) => {
    const known = ctx.lookups.priceItems.get(item.code);
    if (!known) f.add('payment.price_item_unknown', `Услуги ${item.code} нет в прейскуранте`, { code: item.code });
    else if (known.priceKop !== item.priceKop)
      f.add(
        'payment.price_mismatch',
        `Цена «${known.name}» ${formatRub(item.priceKop)} не совпадает с прейскурантом (${formatRub(known.priceKop)})`,
        { code: item.code },
      );
    ctx.batch.lines.push({
      op_id: opId,
      line_no: i + 1,
      code: item.code,
      name: item.name,
      supplier_id: null,
      period: null,
      quantity: item.quantity,
      amount_kop: item.amountKop,
      penalty_kop: 0,
      commission_kop: 0,
    });
  });
  ctx.batch.payments.push({
    op_id: opId,
    desk_id: ctx.deskId,
    point_id: ctx.pointId,
    cashier_id: b.cashierId,
    kind: 'service',
    number: b.number,
    account_number: null,
    provider_code: null,
    provider_account: null,
    accepted_at: b.acceptedAt,
    shift_number: b.shiftNumber,
    method: b.method,
    tendered_kop: b.tenderedKop ?? null,
    total_kop: b.totalKop,
    commission_kop: b.commissionKop,
    principal_kop: b.totalKop - b.commissionKop,
    fiscal: fiscalJson(b),
    reversed_by: null,
    review: f.items.length > 0,
  });
  ctx.lookups.payments.set(opId, {
    opId,
    kind: 'service',
    deskId: ctx.deskId,
    state: 'accepted',
    totalKop: b.totalKop,
    commissionKop: b.commissionKop,
    accountNumber: null,
    providerCode: null,
    fresh: true,
    lines: [],
  });
  reverseIfAlreadyReversed(ctx, opId, f);
  return f.outcome(ctx.batch);
}

function applyReading(ctx: ApplyContext, opId: string, b: ReadingSubmittedBody): OpOutcome {
  const f = new Findings(opId, 'reading');
  const meter = ctx.lookups.meters.get(b.meterId);
  const previous = meter ? { valueMilli: meter.lastValueMilli, date: meter.lastDate } : { valueMilli: null, date: null };
  const value = b.value.replace(',', '.');
  const [whole = '0', frac = ''] = value.split('.');
  const valueMilli = Number(whole) * 1000 + Number(frac.padEnd(3, '0'));
  if (!meter) f.add('reading.meter_unknown', `Счётчик ${b.meterSerial} неизвестен серверу`, { meterId: b.meterId });
  else {
    if (meter.accountNumber !== b.accountNumber)
      f.add('reading.wrong_account', `Счётчик ${meter.serial} относится к другому лицевому счёту`, { meterAccount: meter.accountNumber });
    const check = checkReading(
      {
        serial: meter.serial,
        digits: meter.digits,
        fractionDigits: meter.fractionDigits,
        ...(meter.verificationDue ? { verificationDue: meter.verificationDue } : {}),
        ...(meter.jumpThreshold !== null ? { jumpThreshold: meter.jumpThreshold } : {}),
        ...(meter.lastValueMilli !== null && meter.lastDate ? { last: { valueMilli: meter.lastValueMilli, date: meter.lastDate } } : {}),
      },
      { value: b.value, date: b.readAt },
      { today: b.submittedAt.slice(0, 10), cutoffDay: ctx.lookups.settings.cutoffDay },
      b.confirmed,
    );
    const errors = check.findings.filter((x) => x.severity === 'error').map((x) => x.code);
    if (errors.length > 0 || check.unconfirmed.length > 0) {
      f.add('reading.check_failed', `Показание не проходит проверки на сервере: ${[...errors, ...check.unconfirmed].join(', ')}`, {
        findings: check.findings,
      });
    }
    if (!meter.lastDate || b.readAt > meter.lastDate) {
      ctx.batch.updateMeter(b.meterId, valueMilli, b.readAt);
      meter.lastDate = b.readAt;
      meter.lastValueMilli = valueMilli;
    }
  }
  ctx.batch.readings.push({
    op_id: opId,
    desk_id: ctx.deskId,
    cashier_id: b.cashierId,
    account_number: b.accountNumber,
    meter_id: b.meterId,
    meter_serial: b.meterSerial,
    service_code: b.serviceCode,
    value: b.value,
    value_milli: valueMilli,
    read_at: b.readAt,
    period: b.period,
    submitted_at: b.submittedAt,
    findings: pgJson(b.findings),
    confirmed: pgJson(b.confirmed),
    review: f.items.length > 0,
  });
  ctx.batch.feed.push({
    opId,
    kind: 'reading',
    at: b.submittedAt,
    payload: {
      accountNumber: b.accountNumber,
      meterId: b.meterId,
      meterSerial: b.meterSerial,
      serviceCode: b.serviceCode,
      value: milliToDecimal(valueMilli),
      valueMilli,
      valueAsTyped: b.value,
      previousValueMilli: previous.valueMilli,
      previousDate: previous.date,
      readAt: b.readAt,
      period: b.period,
      deskId: ctx.deskId,
      pointId: ctx.pointId,
    },
  });
  return f.outcome(ctx.batch);
}

/** Thousandths as a decimal with a dot and no trailing zeros: 1030500 → "1030.5". */
function milliToDecimal(milli: number): string {
  const whole = Math.floor(milli / 1000);
  const frac = String(milli % 1000)
    .padStart(3, '0')
    .replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : String(whole);
}

function applyReversal(ctx: ApplyContext, opId: string, b: PaymentReversedBody): OpOutcome {
  const f = new Findings(opId, 'reversal');
  const original = ctx.lookups.payments.get(b.originalOpId);
  if (!original) {
    f.add('reversal.unknown_original', 'Сторнируемый платёж ещё не пришёл на сервер; сторно применится, когда он придёт', {
      originalOpId: b.originalOpId,
    });
  } else if (original.state === 'reversed') {
    f.add('reversal.duplicate', 'Этот платёж уже был сторнирован: возврат выдан повторно', { originalOpId: b.originalOpId });
  } else {
    if (original.totalKop !== b.amountKop)
      f.add('reversal.amount_mismatch', `Сумма возврата ${formatRub(b.amountKop)} не равна сумме платежа ${formatRub(original.totalKop)}`, {
        originalOpId: b.originalOpId,
      });
    undoPayment(ctx, original, opId);
    if (original.kind === 'thirdparty') {
      const state = ctx.lookups.forwardingStates.get(b.originalOpId);
      if (state === 'queued' || state === 'held') {
        ctx.batch.cancelForwardings.push(b.originalOpId);
        ctx.lookups.forwardingStates.set(b.originalOpId, 'cancelled');
      } else if (state === 'sent' || state === 'confirmed') {
        // Only a desk that skipped the hold gets here: the money went back and may reach the provider too.
        f.add(
          'reversal.forwarded',
          'Возврат выдан, а платёж уже передан поставщику: возможен двойной расход — согласуйте отмену с поставщиком',
          { originalOpId: b.originalOpId, forwarding: state },
        );
      }
    }
    if (original.kind === 'billing') {
      // What the reversal undoes, as the payment's own feed item had it: the billing posts it without a join.
      ctx.batch.feed.push({
        opId,
        kind: 'reversal',
        at: b.reversedAt,
        payload: {
          originalOpId: b.originalOpId,
          accountNumber: original.accountNumber,
          amountKop: b.amountKop,
          commissionKop: original.commissionKop,
          reason: b.reason,
          reversedAt: b.reversedAt,
          deskId: ctx.deskId,
          pointId: ctx.pointId,
          lines: original.lines.map((l) => ({
            serviceCode: l.code,
            period: l.period,
            amountKop: l.amountKop,
            penaltyKop: l.penaltyKop,
            commissionKop: l.commissionKop,
          })),
          fiscal: b.fiscal,
        },
      });
    }
  }
  ctx.batch.reversals.push({
    op_id: opId,
    original_op_id: b.originalOpId,
    desk_id: ctx.deskId,
    cashier_id: b.cashierId,
    approved_by: b.approvedBy ?? null,
    reason: b.reason,
    amount_kop: b.amountKop,
    method: b.method,
    shift_number: b.shiftNumber,
    fiscal: fiscalJson(b),
    reversed_at: b.reversedAt,
    review: f.items.length > 0,
  });
  return f.outcome(ctx.batch);
}

function applyCash(ctx: ApplyContext, opId: string, type: 'in' | 'out', b: CashMoveBody): OpOutcome {
  ctx.batch.cashOps.push({
    op_id: opId,
    desk_id: ctx.deskId,
    type,
    amount_kop: b.amountKop,
    expected_kop: null,
    difference_kop: null,
    denominations: null,
    comment: b.comment ?? null,
    cashier_id: b.cashierId,
    shift_number: b.shiftNumber,
    at: b.at,
  });
  return { outcome: 'applied' };
}

function applyCashCount(ctx: ApplyContext, opId: string, b: CashCountedBody): OpOutcome {
  const f = new Findings(opId, 'cash');
  if (b.countedKop - b.expectedKop !== b.differenceKop)
    f.add('cash.difference_inconsistent', 'Разница пересчёта не равна «посчитано − ожидалось»', {});
  ctx.batch.cashOps.push({
    op_id: opId,
    desk_id: ctx.deskId,
    type: 'counted',
    amount_kop: b.countedKop,
    expected_kop: b.expectedKop,
    difference_kop: b.differenceKop,
    denominations: b.denominations ? pgJson(b.denominations) : null,
    comment: null,
    cashier_id: b.cashierId,
    shift_number: b.shiftNumber,
    at: b.at,
  });
  return f.outcome(ctx.batch);
}

function shiftRow(ctx: ApplyContext, n: number): NonNullable<ReturnType<Batch['shifts']['get']>> {
  let row = ctx.batch.shifts.get(n);
  if (!row) {
    row = {
      desk_id: ctx.deskId,
      shift_number: n,
      opened_at: null,
      closed_at: null,
      opened_by: null,
      closed_by: null,
      opening_float_kop: null,
      register_totals: null,
      journal_totals: null,
      unsent_at_close: null,
    };
    ctx.batch.shifts.set(n, row);
  }
  return row;
}

function applyShiftOpened(ctx: ApplyContext, b: ShiftOpenedBody): OpOutcome {
  const row = shiftRow(ctx, b.shiftNumber);
  row.opened_at = b.openedAt;
  row.opened_by = b.cashierId;
  row.opening_float_kop = b.openingFloatKop;
  return { outcome: 'applied' };
}

function applyShiftClosed(ctx: ApplyContext, opId: string, b: ShiftClosedBody): OpOutcome {
  const f = new Findings(opId, 'shift');
  const row = shiftRow(ctx, b.shiftNumber);
  row.closed_at = b.closedAt;
  row.closed_by = b.cashierId;
  row.register_totals = pgJson(b.registerTotals);
  row.journal_totals = pgJson(b.journalTotals);
  row.unsent_at_close = b.unsentCount;
  const r = b.registerTotals;
  const j = b.journalTotals;
  const differs =
    r.sales.cashKop !== j.sales.cashKop ||
    r.sales.cardKop !== j.sales.cardKop ||
    r.returns.cashKop !== j.returns.cashKop ||
    r.returns.cardKop !== j.returns.cardKop ||
    r.cashInKop !== j.cashInKop ||
    r.cashOutKop !== j.cashOutKop;
  if (differs)
    f.add('shift.totals_mismatch', `Итоги смены ${b.shiftNumber} по ККТ и по журналу кассы расходятся`, {
      registerTotals: r,
      journalTotals: j,
    });
  return f.outcome(ctx.batch);
}

/** A correction receipt: kept with its basis; money taken without a receipt is the desk's to explain, not the server's. */
function applyCorrection(ctx: ApplyContext, opId: string, b: CorrectionMadeBody): OpOutcome {
  ctx.batch.corrections.push({
    op_id: opId,
    desk_id: ctx.deskId,
    number: b.number,
    direction: b.direction,
    correction_type: b.correctionType,
    base_date: b.baseDate,
    base_number: b.baseNumber,
    description: b.description,
    method: b.method,
    total_kop: b.totalKop,
    supplier_id: b.supplierId ?? null,
    cashier_id: b.cashierId,
    approved_by: b.approvedBy,
    shift_number: b.shiftNumber,
    fiscal: fiscalJson(b),
    made_at: b.madeAt,
  });
  return { outcome: 'applied' };
}

/** Applies one op of a known, schema-valid type. */
export function applyOp(ctx: ApplyContext, opId: string, type: OpType, body: unknown): OpOutcome {
  switch (type) {
    case 'payment.accepted':
      return applyBilling(ctx, opId, body as PaymentAcceptedBody);
    case 'thirdparty.accepted':
      return applyThirdParty(ctx, opId, body as ThirdPartyAcceptedBody);
    case 'service.sold':
      return applyServiceSale(ctx, opId, body as ServiceSoldBody);
    case 'reading.submitted':
      return applyReading(ctx, opId, body as ReadingSubmittedBody);
    case 'payment.reversed':
      return applyReversal(ctx, opId, body as PaymentReversedBody);
    case 'cash.in':
      return applyCash(ctx, opId, 'in', body as CashMoveBody);
    case 'cash.out':
      return applyCash(ctx, opId, 'out', body as CashMoveBody);
    case 'cash.counted':
      return applyCashCount(ctx, opId, body as CashCountedBody);
    case 'shift.opened':
      return applyShiftOpened(ctx, body as ShiftOpenedBody);
    case 'shift.closed':
      return applyShiftClosed(ctx, opId, body as ShiftClosedBody);
    case 'correction.made':
      return applyCorrection(ctx, opId, body as CorrectionMadeBody);
  }
}
