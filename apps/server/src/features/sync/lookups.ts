/**
 * Reads, in a few bulk queries, everything the op handlers of a batch consult: the accounts, charges
 * and meters the batch names, suppliers and services, providers and the price list, and earlier
 * payments that reversals refer to.
 */
import type { Transaction } from 'kysely';
import { DEFAULT_SETTINGS, type PushedOp } from '@paydesk/protocol';
import type { DB } from '../../db/schema.ts';
import { chargeKey, type Lookups, type PaymentFacts } from './batch.ts';

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

export async function loadLookups(trx: Transaction<DB>, ops: PushedOp[]): Promise<Lookups> {
  const accountNumbers = new Set<string>();
  const meterIds = new Set<string>();
  const originals = new Set<string>();
  const providerCodes = new Set<string>();
  for (const op of ops) {
    const b = op.body;
    const account = str(b['accountNumber']);
    if (account) accountNumbers.add(account);
    const meter = str(b['meterId']);
    if (meter && /^[0-9a-f-]{36}$/i.test(meter)) meterIds.add(meter);
    const original = str(b['originalOpId']);
    if (original && /^[0-9a-f-]{36}$/i.test(original)) originals.add(original);
    const provider = str(b['providerCode']);
    if (provider) providerCodes.add(provider);
  }
  const opIds = ops.map((o) => o.opId);
  // A reversal names only its payment: the payment's account and charges are needed to undo it.
  const paymentIds = [...originals];
  const originalRows = paymentIds.length
    ? await trx
        .selectFrom('payments')
        .select(['op_id', 'kind', 'desk_id', 'state', 'total_kop', 'commission_kop', 'account_number', 'provider_code'])
        .where('op_id', 'in', paymentIds)
        .execute()
    : [];
  for (const r of originalRows) if (r.account_number) accountNumbers.add(r.account_number);
  const accountList = [...accountNumbers];

  const [accounts, services, suppliers, charges, meters, providers, priceItems, settings] = await Promise.all([
    accountList.length ? trx.selectFrom('accounts').select(['number', 'status']).where('number', 'in', accountList).execute() : [],
    trx.selectFrom('services').select(['code', 'supplier_id', 'name']).execute(),
    trx.selectFrom('suppliers').select(['id', 'commission', 'agent_type', 'name', 'inn']).execute(),
    accountList.length
      ? trx
          .selectFrom('charges')
          .select(['account_number', 'service_code', 'period', 'due_kop', 'penalty_kop', 'paid_kop', 'paid_penalty_kop', 'supplier_id'])
          .where('account_number', 'in', accountList)
          .execute()
      : [],
    meterIds.size
      ? trx
          .selectFrom('meters')
          .selectAll()
          .where('id', 'in', [...meterIds])
          .execute()
      : [],
    providerCodes.size
      ? trx
          .selectFrom('providers')
          .select(['code', 'commission', 'agent_type', 'min_kop', 'max_kop', 'channel', 'can_cancel', 'active'])
          .where('code', 'in', [...providerCodes])
          .execute()
      : [],
    trx.selectFrom('price_items').select(['code', 'price_kop', 'name']).execute(),
    trx
      .selectFrom('settings')
      .select(['key', 'value'])
      .where('scope', '=', 'global')
      .where('key', 'in', ['subagentCapKop', 'readingCutoffDay', 'timeZone'])
      .execute(),
  ]);

  const payments = new Map<string, PaymentFacts>();
  if (paymentIds.length) {
    const rows = originalRows;
    const lines = await trx
      .selectFrom('payment_lines')
      .select(['op_id', 'code', 'period', 'amount_kop', 'penalty_kop', 'commission_kop'])
      .where('op_id', 'in', paymentIds)
      .orderBy('line_no')
      .execute();
    for (const r of rows) {
      payments.set(r.op_id, {
        opId: r.op_id,
        kind: r.kind,
        deskId: r.desk_id,
        state: r.state,
        totalKop: r.total_kop,
        commissionKop: r.commission_kop,
        accountNumber: r.account_number,
        providerCode: r.provider_code,
        fresh: false,
        lines: lines
          .filter((l) => l.op_id === r.op_id)
          .map((l) => ({
            code: l.code,
            period: l.period,
            amountKop: l.amount_kop,
            penaltyKop: l.penalty_kop,
            commissionKop: l.commission_kop,
          })),
      });
    }
  }
  const forwardingStates = new Map<string, string>();
  if (paymentIds.length) {
    for (const f of await trx.selectFrom('forwardings').select(['op_id', 'state']).where('op_id', 'in', paymentIds).execute())
      forwardingStates.set(f.op_id, f.state);
  }
  const reversalsOf = new Map<string, string>();
  for (const r of await trx.selectFrom('reversals').select(['op_id', 'original_op_id']).where('original_op_id', 'in', opIds).execute())
    reversalsOf.set(r.original_op_id, r.op_id);

  const setting = (key: string, fallback: number): number => {
    const v = settings.find((s) => s.key === key)?.value;
    return typeof v === 'number' ? v : fallback;
  };

  return {
    accounts: new Map(accounts.map((a) => [a.number, { status: a.status }])),
    services: new Map(services.map((s) => [s.code, { supplierId: s.supplier_id, name: s.name }])),
    suppliers: new Map(suppliers.map((s) => [s.id, { commission: s.commission, agentType: s.agent_type, name: s.name, inn: s.inn }])),
    charges: new Map(
      charges.map((c) => [
        chargeKey(c.account_number, c.service_code, c.period),
        {
          dueKop: c.due_kop,
          penaltyKop: c.penalty_kop,
          paidKop: c.paid_kop,
          paidPenaltyKop: c.paid_penalty_kop,
          supplierId: c.supplier_id,
        },
      ]),
    ),
    meters: new Map(
      meters.map((m) => [
        m.id,
        {
          accountNumber: m.account_number,
          serial: m.serial,
          digits: m.digits,
          fractionDigits: m.fraction_digits,
          verificationDue: m.verification_due,
          jumpThreshold: m.jump_threshold,
          lastValueMilli: m.last_value_milli,
          lastDate: m.last_date,
        },
      ]),
    ),
    providers: new Map(
      providers.map((p) => [
        p.code,
        {
          commission: p.commission,
          agentType: p.agent_type,
          minKop: p.min_kop,
          maxKop: p.max_kop,
          channel: p.channel,
          canCancel: p.can_cancel,
          active: p.active,
        },
      ]),
    ),
    priceItems: new Map(priceItems.map((p) => [p.code, { priceKop: p.price_kop, name: p.name }])),
    payments,
    reversalsOf,
    forwardingStates,
    settings: {
      subagentCapKop: setting('subagentCapKop', DEFAULT_SETTINGS.subagentCapKop),
      cutoffDay: setting('readingCutoffDay', DEFAULT_SETTINGS.readingCutoffDay),
      timeZone: ((v) => (typeof v === 'string' ? v : DEFAULT_SETTINGS.timeZone))(settings.find((x) => x.key === 'timeZone')?.value),
    },
  };
}
