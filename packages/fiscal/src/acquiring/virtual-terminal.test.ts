import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AcquiringError } from './port.ts';
import { VirtualTerminal } from './virtual-terminal.ts';

describe('virtual card terminal', () => {
  it('remembers across a restart what it did under each command id, as a bank does', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'vterm-')), 'terminal.sqlite');
    const t = new VirtualTerminal({ file });
    t.present({ answer: 'timeout_after_charge' }, { answer: 'decline', code: '51' });
    await expect(t.pay('a', 1000)).rejects.toMatchObject({ code: 'outcome_unknown', outcome: 'unknown' });
    await expect(t.pay('b', 2000)).rejects.toMatchObject({ code: 'declined', bankCode: '51', outcome: 'not_done' });
    await t.close();
    const again = new VirtualTerminal({ file });
    await expect(again.lookup('a')).resolves.toMatchObject({ amountKop: 1000, operation: 'pay' });
    await expect(again.lookup('b')).resolves.toBeNull();
    await expect(again.lookup('never')).resolves.toBeNull();
    await again.close();
  });

  it('reverses only its last operation, and only the one meant', async () => {
    const t = new VirtualTerminal({ file: ':memory:' });
    await t.pay('a', 1000);
    await t.pay('b', 2000);
    await expect(t.emergencyReversal('a')).rejects.toBeInstanceOf(AcquiringError);
    await t.emergencyReversal('b');
    await expect(t.lookup('b')).resolves.toBeNull();
    await expect(t.lookup('a')).resolves.toMatchObject({ amountKop: 1000 });
  });

  it('cancels before the settlement, refunds after it, never beyond the payment', async () => {
    const t = new VirtualTerminal({ file: ':memory:' });
    const a = await t.pay('a', 1000);
    await t.cancel('c', { rrn: a.rrn, authCode: a.authCode, amountKop: 1000 });
    const b = await t.pay('b', 5000);
    const s = await t.settlement('s');
    expect(s.totals).toEqual({ payCount: 2, payKop: 6000, refundCount: 1, refundKop: 1000 });
    await expect(t.cancel('c2', { rrn: b.rrn, authCode: b.authCode, amountKop: 5000 })).rejects.toMatchObject({ code: 'declined' });
    await t.refund('r', 3000, { rrn: b.rrn, authCode: b.authCode, amountKop: 5000 });
    await expect(t.refund('r2', 2001, { rrn: b.rrn, authCode: b.authCode, amountKop: 5000 })).rejects.toMatchObject({ code: 'declined' });
  });
});
