/**
 * Issue 25: KKMServer as it really behaves — a forgotten command is not an unexecuted one. Every test
 * runs the driver over HTTP against the simulator of KKMServer (testing/kkm-simulator.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualRegister } from '../virtual/virtual-register.ts';
import { FiscalError, type FiscalRegister } from '../port.ts';
import { startKkmSimulator, type KkmSimulator, type SimDeviceOptions } from '../testing/kkm-simulator.ts';
import { utilityReceipt } from '../testing/register-contract.ts';
import { KkmServerRegister, type KkmServerOptions } from './kkm-register.ts';

const cashier = { name: 'Кассир Иванова А.А.', inn: '500100732259' };
let opSeq = 0;
const opId = (): string => `0190f0d6-0000-7000-8000-${String(++opSeq).padStart(12, '0')}`;
const command =
  (name: string) =>
  (r: { body: unknown }): boolean =>
    (r.body as { Command?: string } | null)?.Command === name;

interface Rig {
  sim: KkmSimulator;
  device: VirtualRegister;
  devices: VirtualRegister[];
  kkm: (options?: Record<string, unknown>) => KkmServerRegister;
}
let rigs: Rig[] = [];

afterEach(async () => {
  for (const r of rigs) {
    await r.sim.stop();
    for (const d of r.devices) await d.close();
  }
  rigs = [];
});

async function rig(devices: Partial<SimDeviceOptions>[] = [{}]): Promise<Rig> {
  const registers = devices.map(() => new VirtualRegister({ file: ':memory:' }));
  const sim = await startKkmSimulator(devices.map((o, i) => ({ numDevice: i + 1, register: registers[i]!, ...o })));
  // Options go through a variable: the driver before the fix did not know some of them.
  const kkm = (options: Record<string, unknown> = {}): KkmServerRegister => {
    const all = { url: sim.url, pollIntervalMs: 20, ...options } as KkmServerOptions;
    return new KkmServerRegister(all);
  };
  const r = { sim, device: registers[0]!, devices: registers, kkm };
  rigs.push(r);
  return r;
}

async function outcomeOf(p: Promise<unknown>): Promise<FiscalError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof FiscalError) return e;
    throw e;
  }
  throw new Error('expected a FiscalError');
}

/** The receipt's answer and the first GetRezult after it are lost on the way back. */
function loseAnswer(sim: KkmSimulator, name = 'RegisterCheck'): void {
  sim.dropNextAnswer(command(name));
  sim.dropNextAnswer(command('GetRezult'));
}

const slots = (sim: KkmSimulator, name: string): number => sim.memory().filter((m) => m.command === name).length;

describe('issue 25 item 1: Status 3 from GetRezult is "forgotten", never "never ran"', () => {
  it('after a KKMServer restart a receipt whose answer was lost is unknown, and a resend prints nothing', async () => {
    const { sim, device, kkm } = await rig();
    const r = kkm();
    await r.openShift(opId(), cashier);
    const receipt = utilityReceipt();
    loseAnswer(sim);
    expect((await outcomeOf(r.registerReceipt(receipt))).outcome).toBe('unknown');
    sim.restart();
    expect(await r.lookupOperation(receipt.operationId, { kind: 'sale', totalKop: receipt.totalKop })).toBeUndefined();
    const resend = await outcomeOf(r.registerReceipt(receipt));
    expect(resend.outcome).toBe('unknown');
    expect(device.receipts()).toHaveLength(1);
  });

  it('after 100 newer commands the same: undefined, not null', async () => {
    const { sim, kkm } = await rig();
    const r = kkm();
    await r.openShift(opId(), cashier);
    const receipt = utilityReceipt();
    await r.registerReceipt(receipt);
    sim.evict(100);
    const fresh = kkm();
    expect(await fresh.lookupOperation(receipt.operationId, { kind: 'sale', totalKop: receipt.totalKop })).toBeUndefined();
  });

  it('KKMServer restarts with the payment on the device: unknown, and the counter finds the receipt the device still printed', async () => {
    const { sim, device, kkm } = await rig();
    const r = kkm({ commandTimeoutS: 3 });
    await r.openShift(opId(), cashier);
    const before = await r.lastDocument();
    const receipt = utilityReceipt();
    sim.stick();
    const paying = outcomeOf(r.registerReceipt(receipt));
    await new Promise((res) => setTimeout(res, 200));
    sim.restart();
    const e = await paying;
    expect(e.outcome).toBe('unknown');
    sim.unstick();
    await new Promise((res) => setTimeout(res, 100));
    expect(await r.lookupOperation(receipt.operationId, { kind: 'sale', totalKop: receipt.totalKop })).toBeUndefined();
    const after = await r.lastDocument();
    expect(after).toMatchObject({ documentNumber: (before?.documentNumber ?? 0) + 1, kind: 'sale', totalKop: receipt.totalKop });
    expect((await outcomeOf(r.registerReceipt(receipt))).outcome).toBe('unknown');
    expect(device.receipts()).toHaveLength(1);
  });

  it('an id KKMServer never saw is unknown too: its memory cannot prove a negative', async () => {
    const { kkm } = await rig();
    expect(await kkm().lookupOperation(opId())).toBeUndefined();
  });

  it('a cash-in whose answer was lost is not sent again after KKMServer forgot it', async () => {
    const { sim, device, kkm } = await rig();
    const r = kkm();
    await r.openShift(opId(), cashier);
    const id = opId();
    loseAnswer(sim, 'DepositingCash');
    expect((await outcomeOf(r.cashIn(id, cashier, 5_000_00))).outcome).toBe('unknown');
    sim.restart();
    expect((await outcomeOf(r.cashIn(id, cashier, 5_000_00))).outcome).toBe('unknown');
    expect((await device.status()).drawerKop).toBe(5_000_00);
  });
});

describe('issue 25 item 2: status reads do not fill KKMServer’s memory', () => {
  it('fifty status reads take at most one command slot', async () => {
    const { sim, kkm } = await rig();
    const r = kkm();
    await r.openShift(opId(), cashier);
    for (let i = 0; i < 50; i++) expect((await r.status()).connected).toBe(true);
    expect(slots(sim, 'GetDataKKT')).toBeLessThanOrEqual(1);
  });

  it('an unsettled payment is settled before newer commands can push it out of the memory', async () => {
    const { sim, kkm } = await rig();
    const r = kkm();
    await r.openShift(opId(), cashier);
    const lost = utilityReceipt();
    loseAnswer(sim);
    await outcomeOf(r.registerReceipt(lost));
    await r.registerReceipt(utilityReceipt());
    sim.evict(100);
    const found = await r.lookupOperation(lost.operationId, { kind: 'sale', totalKop: lost.totalKop });
    expect(found?.totalKop).toBe(lost.totalKop);
  });
});

describe('issue 25 item 3: vendor codes and texts', () => {
  it('a Shtrih paper-out («Нет чековой ленты», 107) is paper out, refused before fiscalisation', async () => {
    const { device, kkm } = await rig([{ model: 'shtrih' }]);
    const r = kkm();
    await r.openShift(opId(), cashier);
    device.setPaper(false);
    const e = await outcomeOf(r.registerReceipt(utilityReceipt()));
    expect([e.code, e.outcome]).toEqual(['paper_out', 'not_done']);
  });

  it('code 60 «Смена открыта» is "shift already open"', async () => {
    const { kkm } = await rig([{ model: 'shtrih' }]);
    const r = kkm();
    await r.openShift(opId(), cashier);
    expect((await outcomeOf(r.openShift(opId(), cashier))).code).toBe('shift_already_open');
  });

  it('code 61 is "closed" for a closed shift and "expired" for an expired one', async () => {
    const clockOffset = { ms: 0 };
    const register = new VirtualRegister({ file: ':memory:', now: () => new Date(Date.now() + clockOffset.ms) });
    const sim = await startKkmSimulator([{ numDevice: 1, register, model: 'shtrih' }]);
    rigs.push({ sim, device: register, devices: [register], kkm: () => new KkmServerRegister({ url: sim.url }) });
    const r = new KkmServerRegister({ url: sim.url, pollIntervalMs: 20 });
    expect((await outcomeOf(r.registerReceipt(utilityReceipt()))).code).toBe('shift_closed');
    await r.openShift(opId(), cashier);
    clockOffset.ms = 25 * 3_600_000;
    expect((await outcomeOf(r.registerReceipt(utilityReceipt()))).code).toBe('shift_expired');
  });

  it('«Устройство … не найдено»: unavailable, certainly not done, and status says disconnected', async () => {
    const { sim, kkm } = await rig();
    const r = kkm({ numDevice: 1 });
    sim.setDeviceActive(1, false);
    const e = await outcomeOf(r.openShift(opId(), cashier));
    expect([e.code, e.outcome]).toEqual(['unavailable', 'not_done']);
    expect((await r.status()).connected).toBe(false);
  });
});

describe('issue 25 item 4: BalanceCash -1 and float noise', () => {
  it('-1 is "unknown", not −1,00 ₽', async () => {
    const { kkm } = await rig([{ drawerUnknown: true }]);
    expect((await kkm().status()).drawerKop).toBeNull();
  });

  it('float noise is rounded to the kopeck and does not stop status updates', async () => {
    const { device, kkm } = await rig([{ floatNoise: true }]);
    // Paper runs out between commands: only a fresh GetDataKKT can see it.
    const r = kkm({ warn: () => {}, statusMaxAgeMs: 0 });
    await r.openShift(opId(), cashier);
    await r.cashIn(opId(), cashier, 4_889_56);
    device.setPaper(false);
    const s = await r.status();
    expect(s.drawerKop).toBe(4_889_56);
    expect(s.paperPresent).toBe(false);
  });
});

describe('issue 25 item 5: a stuck command', () => {
  it('the cashier is answered within seconds: outcome unknown, "do not take the money again"; GetRezult is polled with backoff', async () => {
    const { sim, device, kkm } = await rig();
    const r = kkm({ commandTimeoutS: 2, answerWithinMs: 2_500, pollIntervalMs: 150 });
    await r.openShift(opId(), cashier);
    sim.stick();
    const t0 = Date.now();
    const e = await outcomeOf(r.registerReceipt(utilityReceipt()));
    expect(Date.now() - t0).toBeLessThan(4_000);
    expect(e.outcome).toBe('unknown');
    expect(e.message).toMatch(/не принимайте деньги повторно/);
    expect(sim.commandsSeen().filter((c) => c['Command'] === 'GetRezult').length).toBeLessThanOrEqual(8);
    sim.unstick();
    await new Promise((res) => setTimeout(res, 100));
    expect(device.receipts()).toHaveLength(1);
  }, 20_000);

  it('status does not queue behind a stuck command', async () => {
    const { sim, kkm } = await rig();
    const r: FiscalRegister = kkm({ commandTimeoutS: 2, answerWithinMs: 2_500 });
    await r.openShift(opId(), cashier);
    await r.status();
    sim.stick();
    const pay = r.registerReceipt(utilityReceipt()).catch(() => undefined);
    await new Promise((res) => setTimeout(res, 100));
    const t0 = Date.now();
    const s = await Promise.race([r.status(), new Promise<null>((res) => setTimeout(() => res(null), 3_000))]);
    expect(s).not.toBeNull();
    expect(Date.now() - t0).toBeLessThan(1_500);
    sim.unstick();
    await pay;
  }, 20_000);
});

describe('issue 25 item 6: cashier INN, reprint after a restart, NumDevice', () => {
  it('CashierVATIN (1203) goes with shift, report and cash commands', async () => {
    const { sim, kkm } = await rig();
    const r = kkm();
    await r.openShift(opId(), cashier);
    await r.xReport(opId(), cashier);
    await r.cashIn(opId(), cashier, 100_00);
    await r.cashOut(opId(), cashier, 50_00);
    await r.closeShift(opId(), cashier);
    for (const name of ['OpenShift', 'XReport', 'DepositingCash', 'PaymentCash', 'CloseShift']) {
      expect(sim.commandsSeen().find((c) => c['Command'] === name)).toMatchObject({ CashierName: cashier.name, CashierVATIN: cashier.inn });
    }
  });

  it('reprints the last receipt after the desk restarted, from GetDataCheck', async () => {
    const { device, kkm } = await rig();
    const before = kkm();
    await before.openShift(opId(), cashier);
    const printed = await before.registerReceipt(utilityReceipt());
    await before.printText(['после чека']);
    await kkm().reprintLast();
    const copy = device.documents({ limit: 100 }).at(-1);
    expect(copy?.type).toBe('copy');
    expect(copy?.tape).toMatch(new RegExp(`ФД:\\s+${printed.documentNumber}\\n`));
  });

  it('two registers behind one KKMServer: without a number every command stays on one device', async () => {
    const { devices, kkm } = await rig([{}, {}]);
    const r = kkm();
    await r.openShift(opId(), cashier);
    await r.status();
    await r.registerReceipt(utilityReceipt());
    await r.registerReceipt(utilityReceipt());
    const counts = devices.map((d) => d.receipts().length);
    expect(counts.sort()).toEqual([0, 2]);
  });

  it('NumDevice is a setting sent on every command', async () => {
    const { sim, devices, kkm } = await rig([{}, {}]);
    const r = kkm({ numDevice: 2 });
    await r.openShift(opId(), cashier);
    await r.registerReceipt(utilityReceipt());
    await r.status();
    await r.lastDocument();
    for (const c of sim.commandsSeen().filter((x) => x['Command'] !== 'GetRezult')) expect(c['NumDevice']).toBe(2);
    expect(devices[1]!.receipts()).toHaveLength(1);
  });
});

describe('«Допечатать» on KKMServer (found by the chaos harness, seed 427492514)', () => {
  it('a receipt fiscalised as the paper ran out is printed once the paper is back and continuePrint is called', async () => {
    const { sim, device, kkm } = await rig();
    const r = kkm();
    await r.openShift(opId(), cashier);
    sim.paperOutAfterFiscal();
    const done = await r.registerReceipt(utilityReceipt());
    expect(done.printed).toBe(false);
    device.setPaper(true);
    await r.continuePrint();
    // The desk marks the receipt printed after this call: the device must have printed it by now.
    expect(device.receipts().find((x) => x.documentNumber === done.documentNumber)?.printed).toBe(true);
  });

  it('with the paper still out, continuePrint fails as paper out and the receipt stays unprinted (a helper’s review)', async () => {
    const { sim, device, kkm } = await rig();
    const r = kkm();
    await r.openShift(opId(), cashier);
    sim.paperOutAfterFiscal();
    const done = await r.registerReceipt(utilityReceipt());
    expect(done.printed).toBe(false);
    // The cashier presses «Допечатать» before loading paper: nothing is printed, and the desk must not think so.
    const e = (await r.continuePrint().catch((x: unknown) => x)) as FiscalError;
    expect(e).toBeInstanceOf(FiscalError);
    expect(e.code).toBe('paper_out');
    expect(device.receipts().find((x) => x.documentNumber === done.documentNumber)?.printed).toBe(false);
    device.setPaper(true);
    await r.continuePrint();
    expect(device.receipts().find((x) => x.documentNumber === done.documentNumber)?.printed).toBe(true);
  });
});
