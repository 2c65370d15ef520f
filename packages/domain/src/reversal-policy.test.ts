import { describe, expect, it } from 'vitest';
import { decideReversal, type ReversalSubject } from './reversal-policy.ts';

const now = new Date('2026-11-28T12:00:00Z');
const payment: ReversalSubject = {
  kind: 'billing',
  state: 'done',
  reversed: false,
  cashierId: 'u1',
  shiftNumber: 7,
  acceptedAt: '2026-11-28T10:00:00Z',
};
const shift = { open: true, number: 7 };
const settings = { windowDays: 3 };

describe('reversal policy', () => {
  it('a cashier reverses their own payment in the same shift', () => {
    expect(decideReversal({ userId: 'u1', role: 'cashier' }, payment, now, shift, settings)).toEqual({ allowed: true });
  });

  it('a cashier needs a senior for another’s payment or an earlier shift', () => {
    expect(decideReversal({ userId: 'u2', role: 'cashier' }, payment, now, shift, settings)).toMatchObject({
      allowed: false,
      code: 'reversal.needs_senior',
      seniorMayApprove: true,
    });
    expect(decideReversal({ userId: 'u1', role: 'cashier' }, payment, now, { open: true, number: 8 }, settings)).toMatchObject({
      allowed: false,
      code: 'reversal.needs_senior',
    });
  });

  it('a senior reverses within the window, not after', () => {
    expect(decideReversal({ userId: 's', role: 'senior_cashier' }, { ...payment, shiftNumber: 1 }, now, shift, settings)).toEqual({
      allowed: true,
    });
    const old = { ...payment, acceptedAt: '2026-11-20T10:00:00Z' };
    expect(decideReversal({ userId: 's', role: 'senior_cashier' }, old, now, shift, settings)).toMatchObject({
      allowed: false,
      code: 'reversal.too_old',
    });
    expect(decideReversal({ userId: 'u1', role: 'cashier' }, { ...old, shiftNumber: 1 }, now, shift, settings)).toMatchObject({
      seniorMayApprove: false,
    });
  });

  it('nobody reverses twice, an unfinished payment, or with the shift closed', () => {
    const admin = { userId: 'a', role: 'admin' as const };
    expect(decideReversal(admin, { ...payment, reversed: true }, now, shift, settings)).toMatchObject({
      code: 'reversal.already_reversed',
    });
    expect(decideReversal(admin, { ...payment, state: 'fiscal_pending' }, now, shift, settings)).toMatchObject({
      code: 'reversal.not_fiscalized',
    });
    expect(decideReversal(admin, payment, now, { open: false, number: null }, settings)).toMatchObject({ code: 'reversal.shift_closed' });
  });

  it('a third-party payment sent to its provider is never refunded in cash (issue 16 item 2), whatever the provider allows', () => {
    const tp: ReversalSubject = { ...payment, kind: 'thirdparty', forwarding: 'confirmed', providerCanCancel: false };
    const admin = { userId: 'a', role: 'admin' as const };
    expect(decideReversal(admin, tp, now, shift, settings)).toMatchObject({
      allowed: false,
      code: 'reversal.provider_confirmed',
      seniorMayApprove: false,
    });
    expect(decideReversal(admin, { ...tp, providerCanCancel: true }, now, shift, settings)).toMatchObject({
      allowed: false,
      code: 'reversal.provider_confirmed',
    });
    expect(decideReversal(admin, { ...tp, forwarding: 'sent' }, now, shift, settings)).toMatchObject({
      allowed: false,
      code: 'reversal.provider_confirmed',
    });
    expect(decideReversal(admin, { ...tp, forwarding: 'cancelled' }, now, shift, settings)).toMatchObject({
      allowed: false,
      code: 'reversal.already_reversed',
    });
    // Queued, held or refused by the provider: the desk may refund once the server holds it.
    for (const forwarding of ['queued', 'held', 'failed'] as const)
      expect(decideReversal(admin, { ...tp, forwarding }, now, shift, settings)).toEqual({ allowed: true });
  });
});
