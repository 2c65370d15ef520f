/**
 * Meter readings with the domain's checks: errors refuse, confirmations are asked once (the cashier
 * resends with the confirmed codes), warnings are returned with the accepted reading. A value below
 * the previous one is taken as a rollover only when `confirmed` names `reading.rollover`.
 */
import { v7 as uuidv7 } from 'uuid';
import { checkReading, parseMeterValue, type ReadingFinding } from '@paydesk/domain';
import { AppError, type OpBody } from '@paydesk/protocol';
import type { DeskDeps } from '../../deps.ts';
import { localDate, localIso } from '../../clock.ts';
import type { Cashier } from '../payments/prepare.ts';

export interface ReadingInput {
  opId?: string | undefined;
  accountNumber: string;
  meterId: string;
  value: string;
  date?: string | undefined;
  confirmed: string[];
}

export interface ReadingAnswer {
  readingId: string;
  period: string;
  consumption: string | null;
  findings: ReadingFinding[];
}

export function submitReading(deps: DeskDeps, cashier: Cashier, input: ReadingInput): ReadingAnswer {
  const opId = input.opId ?? uuidv7();
  const account = deps.accounts.details(input.accountNumber);
  if (!account) throw new AppError('payment.account_not_found', `Лицевой счёт ${input.accountNumber} не найден`);
  const meter = account.meters.find((m) => m.id === input.meterId);
  if (!meter) throw new AppError('not_found', 'У этого лицевого счёта нет такого счётчика');
  const tz = deps.settings.timeZone();
  const today = localDate(deps.clock(), tz);
  const date = input.date ?? today;
  const last = meter.lastValue && meter.lastDate ? parseMeterValue(meter.lastValue) : null;
  const check = checkReading(
    {
      serial: meter.serial,
      digits: meter.digits,
      fractionDigits: meter.fractionDigits,
      ...(meter.verificationDue ? { verificationDue: meter.verificationDue } : {}),
      ...(meter.jumpThreshold !== null ? { jumpThreshold: meter.jumpThreshold } : {}),
      ...(last && meter.lastDate ? { last: { valueMilli: last.milli, date: meter.lastDate } } : {}),
    },
    { value: input.value, date },
    { today, cutoffDay: deps.settings.get('readingCutoffDay') },
    input.confirmed,
  );
  const existing = deps.runner.get(opId);
  if (existing) {
    if (existing.kind !== 'reading') throw new AppError('op.id_reused');
    const stored = JSON.parse(existing.request) as ReadingAnswer & { meterId: string; value: string };
    if (stored.meterId !== input.meterId || stored.value !== input.value)
      throw new AppError('op.id_reused', 'Этот номер операции уже использован для другого показания');
    return { readingId: opId, period: stored.period, consumption: stored.consumption, findings: stored.findings };
  }
  if (check.findings.some((f) => f.severity === 'error')) {
    throw new AppError(
      'reading.rejected',
      check.findings
        .filter((f) => f.severity === 'error')
        .map((f) => f.message)
        .join('; '),
      { findings: check.findings },
    );
  }
  const consumption = check.consumptionMilli === null ? null : (check.consumptionMilli / 1000).toFixed(3).replace(/\.?0+$/, '');
  if (check.unconfirmed.length > 0) {
    // With what the reading would mean: a value below the previous one is a typo or a rollover of
    // `consumption`, and the cashier chooses knowing which.
    throw new AppError(
      'reading.needs_confirmation',
      check.findings
        .filter((f) => f.severity === 'confirm')
        .map((f) => f.message)
        .join('; '),
      { findings: check.findings, confirm: check.unconfirmed, consumption },
    );
  }
  const period = check.period as string;
  const body: OpBody<'reading.submitted'> = {
    cashierId: cashier.id,
    accountNumber: input.accountNumber,
    meterId: meter.id,
    meterSerial: meter.serial,
    serviceCode: meter.serviceCode,
    value: input.value.replace('.', ','),
    readAt: date,
    period,
    submittedAt: localIso(deps.clock(), tz),
    confirmed: input.confirmed.filter((c) => check.findings.some((f) => f.code === c)),
    findings: check.findings.map((f) => f.code),
  };
  deps.db.transaction(() => {
    deps.runner.recordWithoutRegister(
      {
        opId,
        kind: 'reading',
        numbered: false,
        request: { meterId: meter.id, value: input.value, period, consumption, findings: check.findings },
        cashier: { id: cashier.id, name: cashier.name, inn: cashier.inn },
        accountNumber: input.accountNumber,
      },
      'reading.submitted',
      body,
    );
    deps.db
      .prepare('INSERT OR IGNORE INTO local_readings (op_id, meter_id, value, value_milli, date) VALUES (?, ?, ?, ?, ?)')
      .run(opId, meter.id, input.value.replace('.', ','), check.valueMilli ?? 0, date);
  })();
  deps.sync.trigger();
  return { readingId: opId, period, consumption, findings: check.findings };
}
