/**
 * The KKMServer acquiring driver against the simulator: every answer shape the simulator gives, and the
 * one guarantee — a card operation's outcome is reported charged only when it was, not-done only when
 * it certainly was not, and unknown otherwise.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AcquiringError, KkmTerminal } from '@paydesk/fiscal';
import { startAcquiringSim, type AcquiringSim } from './acquiring-sim.ts';

let sim: AcquiringSim | null = null;

afterEach(async () => {
  await sim?.stop();
  sim = null;
});

async function setup(o: Parameters<typeof startAcquiringSim>[0] = {}): Promise<{ sim: AcquiringSim; terminal: KkmTerminal }> {
  sim = await startAcquiringSim(o);
  return { sim, terminal: new KkmTerminal({ url: sim.url, pollIntervalMs: 5, answerWithinMs: 5_000 }) };
}

async function refusal(p: Promise<unknown>): Promise<AcquiringError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(AcquiringError);
  return e as AcquiringError;
}

describe('KKMServer card terminal driver', () => {
  it('pays after polling through NotRun and Run, in whole kopecks despite float noise, with the slip as lines', async () => {
    const { sim, terminal } = await setup({ defaultPolls: 3 });
    const a = await terminal.pay('op-1', 123_456);
    expect(a).toMatchObject({ operation: 'pay', amountKop: 123_456, maskedPan: '****1234', cardType: 'MIR', printedOnTerminal: false });
    expect(a.rrn).toMatch(/^\d{12}$/);
    expect(a.slip).toContain('ОДОБРЕНО');
    expect(a.slip.join('\n')).not.toMatch(/<#|<<|\r/);
    expect(sim.netChargedKop()).toBe(123_456);
    // Asked again under the same id: the same approval, no second charge.
    await expect(terminal.lookup('op-1')).resolves.toMatchObject({ rrn: a.rrn, amountKop: 123_456 });
    await expect(terminal.pay('op-1', 123_456)).resolves.toMatchObject({ rrn: a.rrn });
    expect(sim.netChargedKop()).toBe(123_456);
  });

  it('a decline is not done, with the bank reason in Russian; nothing charged', async () => {
    const { sim, terminal } = await setup();
    sim.present({ behaviour: 'decline', code: '51' });
    const e = await refusal(terminal.pay('op-2', 5000));
    expect(e).toMatchObject({ code: 'declined', outcome: 'not_done', bankCode: '51' });
    expect(e.message).toContain('недостаточно средств');
    await expect(terminal.lookup('op-2')).resolves.toBeNull();
    expect(sim.netChargedKop()).toBe(0);
  });

  it('no terminal behind KKMServer is not done; KKMServer not running is not done', async () => {
    const { sim, terminal } = await setup();
    sim.present({ behaviour: 'no_device' });
    await expect(refusal(terminal.pay('op-3', 5000))).resolves.toMatchObject({ code: 'unavailable', outcome: 'not_done' });
    const url = sim.url;
    await sim.stop();
    const away = new KkmTerminal({ url, pollIntervalMs: 5 });
    await expect(refusal(away.pay('op-4', 5000))).resolves.toMatchObject({ outcome: 'not_done' });
  });

  it('a lost answer after the charge is found by GetRezult: charged once, reported charged', async () => {
    const { sim, terminal } = await setup();
    sim.present({ behaviour: 'lose_answer' });
    const a = await terminal.pay('op-5', 7000);
    expect(a.amountKop).toBe(7000);
    expect(sim.netChargedKop()).toBe(7000);
    // The answer really was cut: the driver had to ask.
    expect(sim.received().filter((c) => c['Command'] === 'GetRezult' && c['IdCommand'] === 'op-5').length).toBeGreaterThan(0);
    expect(sim.received().filter((c) => c['Command'] === 'PayByPaymentCard').length).toBe(1);
  });

  it('charged and then forgotten by KKMServer is outcome unknown, never "not done"; lookup cannot tell; the emergency reversal returns the money', async () => {
    const { sim, terminal } = await setup();
    sim.present({ behaviour: 'charge_then_forget' });
    const e = await refusal(terminal.pay('op-6', 9000));
    expect(e.outcome).toBe('unknown');
    await expect(terminal.lookup('op-6')).resolves.toBeUndefined();
    expect(sim.netChargedKop()).toBe(9000);
    await terminal.emergencyReversal('op-6', 9000);
    expect(sim.netChargedKop()).toBe(0);
  });

  it('a Status 2 that says «таймаут» after the card was charged is outcome unknown, never "not done"; the reversal returns the money', async () => {
    const { sim, terminal } = await setup();
    sim.present({ behaviour: 'charge_then_timeout_error' });
    await expect(refusal(terminal.pay('op-t', 4000))).resolves.toMatchObject({ code: 'outcome_unknown', outcome: 'unknown' });
    await expect(terminal.lookup('op-t')).resolves.toBeUndefined();
    expect(sim.netChargedKop()).toBe(4000);
    await terminal.emergencyReversal('op-t', 4000);
    expect(sim.netChargedKop()).toBe(0);
  });

  it('the emergency reversal leaves alone a last operation that is not the one meant', async () => {
    const { sim, terminal } = await setup();
    await terminal.pay('op-7', 1000);
    await expect(refusal(terminal.emergencyReversal('op-never-sent', 1000))).resolves.toMatchObject({ code: 'nothing_to_reverse' });
    expect(sim.netChargedKop()).toBe(1000);
  });

  it('a slow payer past the deadline is outcome unknown; later lookup finds the approval', async () => {
    sim = await startAcquiringSim();
    const terminal = new KkmTerminal({ url: sim.url, pollIntervalMs: 5, answerWithinMs: 30 });
    sim.present({ behaviour: 'slow', polls: 50 });
    await expect(refusal(terminal.pay('op-8', 2500))).resolves.toMatchObject({ code: 'outcome_unknown', outcome: 'unknown' });
    let found: unknown;
    for (let i = 0; i < 60 && !found; i++) found = await terminal.lookup('op-8').catch(() => undefined);
    expect(found).toMatchObject({ amountKop: 2500 });
  });

  it('cancel the same day and refund after the settlement, by RRN; a refund beyond the payment is declined', async () => {
    const { sim, terminal } = await setup();
    const a = await terminal.pay('p1', 10_000);
    await terminal.cancel('c1', { rrn: a.rrn, authCode: a.authCode, amountKop: 10_000 });
    expect(sim.netChargedKop()).toBe(0);
    const b = await terminal.pay('p2', 20_000);
    const s = await terminal.settlement('s1');
    expect(s.slip.join('\n')).toContain('СВЕРКА ИТОГОВ');
    // After the settlement a cancel is refused by the bank; a refund goes through.
    await expect(refusal(terminal.cancel('c2', { rrn: b.rrn, authCode: b.authCode, amountKop: 20_000 }))).resolves.toMatchObject({
      code: 'declined',
    });
    await terminal.refund('r1', 5_000, { rrn: b.rrn, authCode: b.authCode, amountKop: 20_000 });
    await expect(refusal(terminal.refund('r2', 16_000, { rrn: b.rrn, authCode: b.authCode, amountKop: 20_000 }))).resolves.toMatchObject({
      code: 'declined',
      bankCode: '13',
    });
    expect(sim.netChargedKop()).toBe(15_000);
  });

  it('"Ok" without an RRN is not an approval the desk stands behind', async () => {
    const { sim } = await setup();
    // The same id answered as a command the simulator knows but without RRN: a GetRezult of a settlement.
    const terminal = new KkmTerminal({ url: sim.url, pollIntervalMs: 5 });
    await terminal.settlement('s-x');
    await expect(refusal(terminal.lookup('s-x'))).resolves.toMatchObject({ outcome: 'unknown' });
  });
});
