/**
 * A correction receipt (чек коррекции): money taken or returned without a receipt — the register failed
 * and the cashier wrote a paper note — made good by a senior cashier. It is an operation like any other:
 * one op id, journaled before the register is called, exactly one document, synced, in the shift report
 * and the audit log. No card is charged for it: the money changed hands before.
 */
import { v7 as uuidv7 } from 'uuid';
import { canonicalJson, AppError, type CorrectionRequest } from '@paydesk/protocol';
import { composeCorrectionReceipt, validateReceipt, type SupplierData } from '@paydesk/domain';
import type { DeskDeps } from '../../deps.ts';
import { agentProfile, receiptContext, type Cashier } from '../payments/prepare.ts';
import { checkCredentials } from '../session/session.ts';
import { localDate } from '../../clock.ts';

export interface CorrectionAnswer {
  correctionId: string;
  number: string;
  state: string;
  direction: 'income' | 'return';
  totalKop: number;
  fiscal: { documentNumber: number; fiscalSign: string; shiftNumber: number } | null;
  error: { code: string; message: string } | null;
}

function answer(deps: DeskDeps, opId: string): CorrectionAnswer {
  const row = deps.runner.get(opId);
  if (!row) throw new AppError('internal');
  const req = JSON.parse(row.request) as { direction: 'income' | 'return' };
  const result = row.result ? (JSON.parse(row.result) as { documentNumber: number; fiscalSign: string; shiftNumber: number }) : null;
  return {
    correctionId: row.op_id,
    number: row.number ?? '',
    state: row.state,
    direction: req.direction,
    totalKop: row.total_kop ?? 0,
    fiscal: result ? { documentNumber: result.documentNumber, fiscalSign: result.fiscalSign, shiftNumber: result.shiftNumber } : null,
    error: row.error_code ? { code: row.error_code, message: row.error_message ?? '' } : null,
  };
}

async function seniorOf(deps: DeskDeps, cashier: Cashier, input: CorrectionRequest): Promise<Cashier> {
  const senior =
    cashier.role !== 'cashier'
      ? cashier
      : input.approval
        ? await checkCredentials(deps.db, input.approval.login, input.approval.password, deps.clock(), (l, p) =>
            deps.client.checkAdmin(l, p),
          )
        : null;
  if (!senior || senior.role === 'cashier')
    throw new AppError('auth.forbidden', 'Чек коррекции пробивает старший кассир или администратор: нужен его пароль', {
      needsApproval: true,
    });
  return senior;
}

export async function makeCorrection(deps: DeskDeps, cashier: Cashier, input: CorrectionRequest): Promise<CorrectionAnswer> {
  const opId = input.opId ?? uuidv7();
  const { approval: _approval, opId: _opId, ...what } = input;
  const raw = canonicalJson(what);
  const seen = deps.runner.recall(
    opId,
    (row) => (row.kind === 'correction' || row.kind === 'correction_return') && (JSON.parse(row.request) as { raw?: string }).raw === raw,
    'Этот номер операции уже использован для другой операции',
  );
  if (seen?.replay === 'answer') return answer(deps, opId);
  const senior = await seniorOf(deps, cashier, input);
  // The point's own day: at 01:30 in Moscow a correction dated today is not "in the future".
  if (input.baseDate > localDate(deps.clock(), deps.settings.timeZone()))
    throw new AppError('validation.failed', 'Дата исправляемого расчёта не может быть позже сегодняшней', { field: 'baseDate' });
  let supplier: SupplierData | undefined;
  let agentType: 'paying_agent' | 'paying_subagent' = 'paying_agent';
  if (input.supplierId) {
    const s = deps.db.prepare('SELECT name, inn, phone, agent_type, active FROM suppliers WHERE id = ?').get(input.supplierId) as
      { name: string; inn: string; phone: string | null; agent_type: string; active: number } | undefined;
    if (!s) throw new AppError('validation.failed', 'Поставщик не найден в справочнике кассы', { field: 'supplierId' });
    supplier = s.phone ? { name: s.name, inn: s.inn, phone: s.phone } : { name: s.name, inn: s.inn };
    agentType = s.agent_type === 'paying_subagent' ? 'paying_subagent' : 'paying_agent';
  }
  const ctx = { db: deps.db, settings: deps.settings, accounts: deps.accounts, cashier };
  const receipt = composeCorrectionReceipt(receiptContext(ctx, opId, input.method), {
    direction: input.direction,
    correction: { type: input.correctionType, baseDate: input.baseDate, baseNumber: input.baseNumber },
    description: input.description,
    amountKop: input.amountKop,
    ...(supplier ? { agent: { profile: agentProfile(deps.settings, agentType), supplier } } : {}),
  });
  const problems = validateReceipt(receipt);
  if (problems.length > 0) throw new AppError('validation.failed', problems.map((p) => p.message).join('; '));
  const status = deps.registerStatus.get() ?? (await deps.registerStatus.refresh());
  const existing = seen?.row ?? null;
  const request = existing
    ? (JSON.parse(existing.request) as object)
    : {
        direction: input.direction,
        correctionType: input.correctionType,
        baseDate: input.baseDate,
        baseNumber: input.baseNumber,
        description: input.description,
        method: input.method,
        ...(input.supplierId ? { supplierId: input.supplierId } : {}),
        approvedBy: senior.id,
        raw,
      };
  // The audit names who authorised the correction before the register is called, once per op id (two
  // tabs, a retry, a crash after the register leave one entry: the journal settles what happened).
  deps.db
    .prepare(
      `INSERT INTO audit (at, actor_id, action, op_id, details)
       SELECT ?, ?, 'correction.made', ?, ? WHERE NOT EXISTS (SELECT 1 FROM audit WHERE action = 'correction.made' AND op_id = ?)`,
    )
    .run(deps.clock().toISOString(), senior.id, opId, JSON.stringify({ ...what, askedBy: cashier.id }), opId);
  await deps.runner.run({
    opId,
    kind: input.direction === 'income' ? 'correction' : 'correction_return',
    numbered: true,
    request,
    ...(existing ? {} : { receipt }),
    cashier: { id: cashier.id, name: cashier.name, inn: cashier.inn },
    shiftNumber: status?.shift.number ?? null,
    totalKop: input.amountKop,
    method: input.method,
  });
  return answer(deps, opId);
}
