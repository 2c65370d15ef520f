import { afterEach, describe, expect, it } from 'vitest';
import { VirtualRegister } from '../virtual/virtual-register.ts';
import { startKkmSimulator, type KkmSimulator, type KkmSimulatorOptions, type SimDeviceOptions } from './kkm-simulator.ts';
import { utilityReceipt } from './register-contract.ts';
import { registerCheckCommand } from '../kkmserver/kkm-mapping.ts';

// Answers are free-form JSON; the tests poke into them by name.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Answer = Record<string, any>;

const cashier = { CashierName: 'Кассир Иванова А.А.', CashierVATIN: '500100732259' };
let sims: KkmSimulator[] = [];
let devices: VirtualRegister[] = [];

afterEach(async () => {
  await Promise.all(sims.map((s) => s.stop()));
  for (const d of devices) await d.close();
  sims = [];
  devices = [];
});

async function start(deviceOptions: Partial<SimDeviceOptions>[] = [{}], options: KkmSimulatorOptions = {}): Promise<KkmSimulator> {
  const list = deviceOptions.map((o, i) => {
    const register = new VirtualRegister({ file: ':memory:' });
    devices.push(register);
    return { numDevice: i + 1, register, ...o };
  });
  const sim = await startKkmSimulator(list, options);
  sims.push(sim);
  return sim;
}

async function exec(sim: KkmSimulator, cmd: Record<string, unknown>): Promise<Answer> {
  const r = await fetch(`${sim.url}/Execute`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(cmd),
  });
  return (await r.json()) as Answer;
}

const rezult = (sim: KkmSimulator, id: string): Promise<Answer> => exec(sim, { Command: 'GetRezult', IdCommand: id });

async function until(sim: KkmSimulator, id: string, ms = 3000): Promise<Answer> {
  const end = Date.now() + ms;
  for (;;) {
    const a = await rezult(sim, id);
    if (a['Rezult']?.['Status'] === 0 || a['Rezult']?.['Status'] === 2 || Date.now() > end) return a;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('KKMServer simulator: the command memory', () => {
  it('keeps 100 device commands, oldest dropped; GetRezult and List take no slot; forgotten is Status 3', async () => {
    const sim = await start();
    await exec(sim, { Command: 'GetDataKKT', IdCommand: 'first' });
    for (let i = 0; i < 99; i++) await exec(sim, { Command: 'GetDataKKT', IdCommand: `kkt-${i}` });
    for (let i = 0; i < 20; i++) {
      await rezult(sim, 'first');
      await exec(sim, { Command: 'List' });
    }
    expect((await rezult(sim, 'first'))['Rezult']['Status']).toBe(0);
    await exec(sim, { Command: 'GetDataKKT' });
    const gone = await rezult(sim, 'first');
    expect(gone).toMatchObject({
      Command: 'GetRezult',
      Status: 3,
      Error: 'Команда с таким IdCommand не найдена',
      Rezult: { Status: 3, IdCommand: 'first' },
    });
    expect(sim.memory()).toHaveLength(100);
  });

  it('a restart forgets every command; the device, knowing no ids, prints the resend again', async () => {
    const sim = await start();
    await exec(sim, { Command: 'OpenShift', IdCommand: 'open-1', ...cashier });
    const cmd: Record<string, unknown> = { ...registerCheckCommand(utilityReceipt()), NumDevice: 0 };
    const first = await exec(sim, cmd);
    expect(first['Status']).toBe(0);
    sim.restart();
    expect((await rezult(sim, String(cmd['IdCommand'])))['Status']).toBe(3);
    const second = await exec(sim, cmd);
    expect(second['CheckNumber']).toBe(first['CheckNumber'] + 1);
    expect(devices[0]!.receipts()).toHaveLength(2);
  });

  it('a repeated IdCommand answers Status 5 and takes a slot; after an error it runs again', async () => {
    const sim = await start();
    const cmd: Record<string, unknown> = { ...registerCheckCommand(utilityReceipt()), NumDevice: 0 };
    const refused = await exec(sim, cmd);
    expect(refused).toMatchObject({ Status: 2, Error: 'Смена закрыта - операция невозможна' });
    await exec(sim, { Command: 'OpenShift', IdCommand: 'open-1', ...cashier });
    const ran = await exec(sim, cmd);
    expect(ran['Status']).toBe(0);
    const again = await exec(sim, cmd);
    expect(again).toMatchObject({ Status: 5, Error: 'Команда уже была выполнена или выполняется в текущий момент' });
    expect(again).not.toHaveProperty('CheckNumber');
    expect(sim.memory().map((m) => m.status)).toEqual([2, 0, 0, 5]);
    expect((await rezult(sim, String(cmd['IdCommand'])))['Rezult']).toMatchObject({ Status: 0, CheckNumber: ran['CheckNumber'] });
  });
});

describe('KKMServer simulator: held answers and a slow device', () => {
  it('holds the answer Timeout−1 s, then answers running (1) or queued (4) while the device goes on', async () => {
    const sim = await start();
    sim.stick();
    const t0 = Date.now();
    const running = await exec(sim, { Command: 'GetDataKKT', IdCommand: 'a', Timeout: 2 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(running['Status']).toBe(1);
    const queued = await exec(sim, { Command: 'GetDataKKT', IdCommand: 'b', Timeout: 1 });
    expect(queued['Status']).toBe(4);
    sim.unstick();
    expect((await until(sim, 'a'))['Rezult']['Status']).toBe(0);
    expect((await until(sim, 'b'))['Rezult']['Status']).toBe(0);
  });

  it('cancels a command left in the queue beyond RemoveCommandInterval', async () => {
    const sim = await start([{}], { removeCommandIntervalS: 0.3 });
    sim.stick();
    await exec(sim, { Command: 'GetDataKKT', IdCommand: 'a', Timeout: 1 });
    await exec(sim, { Command: 'GetDataKKT', IdCommand: 'b', Timeout: 1 });
    await new Promise((r) => setTimeout(r, 700));
    expect((await rezult(sim, 'b'))['Rezult']).toMatchObject({
      Status: 2,
      Error: 'Истек допустимый период постановки команды на исполнение из очереди. Команда отменена.',
    });
    sim.unstick();
  });
});

describe('KKMServer simulator: answers', () => {
  it('leaves zero fields out, says -1 for a drawer it does not know, and carries float noise', async () => {
    const sim = await start([{ drawerUnknown: true }, { floatNoise: true }]);
    const fresh = await exec(sim, { Command: 'GetDataKKT', NumDevice: 1, IdCommand: 'x' });
    expect(fresh).not.toHaveProperty('CheckNumber');
    expect(fresh).not.toHaveProperty('SessionNumber');
    expect(fresh['Info']).toMatchObject({ BalanceCash: -1, SessionState: 1, OFD_DateErrorDoc: '0001-01-01T00:00:00' });
    await exec(sim, { Command: 'OpenShift', NumDevice: 2, IdCommand: 'o', ...cashier });
    await exec(sim, { Command: 'DepositingCash', NumDevice: 2, IdCommand: 'c', Amount: 4889.56, ...cashier });
    const noisy = await exec(sim, { Command: 'GetDataKKT', NumDevice: 2, IdCommand: 'y' });
    expect(noisy['Info']['BalanceCash']).not.toBe(4889.56);
    expect(Math.abs(noisy['Info']['BalanceCash'] - 4889.56)).toBeLessThan(1e-9);
  });

  it('gives a document back by GetDataCheck, FiscalNumber 0 being the last one', async () => {
    const sim = await start();
    await exec(sim, { Command: 'OpenShift', IdCommand: 'o', ...cashier });
    const receipt = utilityReceipt();
    const r = await exec(sim, registerCheckCommand(receipt));
    const last = await exec(sim, { Command: 'GetDataCheck', FiscalNumber: 0, NumberCopies: 0, IdCommand: 'g' });
    expect(last['RegisterCheck']).toMatchObject({
      FiscalNumber: String(r['CheckNumber']),
      CheckType: 'Приход',
      AllSumm: receipt.totalKop / 100,
    });
    expect(last['QRCode']).toBe(r['QRCode']);
    const opened = await exec(sim, { Command: 'GetDataCheck', FiscalNumber: r['CheckNumber'] - 1, IdCommand: 'h' });
    expect(opened['RegisterCheck']['CheckType']).toBe('Открытие смены');
  });

  it('paper out after fiscalisation: an error answer, and yet the receipt exists', async () => {
    const sim = await start();
    await exec(sim, { Command: 'OpenShift', IdCommand: 'o', ...cashier });
    sim.paperOutAfterFiscal();
    const a = await exec(sim, registerCheckCommand(utilityReceipt()));
    expect(a).toMatchObject({ Status: 2, Error: 'Нет бумаги' });
    expect(devices[0]!.receipts()).toHaveLength(1);
  });

  it('words errors as the device family does: Shtrih codes in the text, 61 for closed and expired alike', async () => {
    const sim = await start([{ model: 'shtrih' }]);
    const closed = await exec(sim, registerCheckCommand(utilityReceipt()));
    expect(closed['Error']).toBe(
      'Ошибка регистрации чека ( 61 : ККТ: Смена не открыта или смена превысила 24 часа – операция невозможна )',
    );
    await exec(sim, { Command: 'OpenShift', IdCommand: 'o1', ...cashier });
    const twice = await exec(sim, { Command: 'OpenShift', IdCommand: 'o2', ...cashier });
    expect(twice['Error']).toBe('Ошибка регистрации ( 60 : ККТ: Смена открыта – операция невозможна )');
    devices[0]!.setPaper(false);
    const paper = await exec(sim, registerCheckCommand(utilityReceipt()));
    expect(paper['Error']).toContain('( 107 : ККТ: Нет чековой ленты )');
  });

  it('checks the cashier INN as KKMServer does', async () => {
    const sim = await start();
    await exec(sim, { Command: 'OpenShift', IdCommand: 'o', ...cashier });
    const bad = await exec(sim, { ...registerCheckCommand(utilityReceipt()), CashierVATIN: '500100732250' });
    expect(bad).toMatchObject({ Status: 2, Error: 'Некорректный ИНН кассира' });
  });
});

describe('KKMServer simulator: NumDevice', () => {
  it('0 is the first free device, least recently used first; an unknown or switched-off number finds none', async () => {
    const sim = await start([{}, {}]);
    const a = await exec(sim, { Command: 'GetDataKKT', NumDevice: 0, IdCommand: 'a' });
    const b = await exec(sim, { Command: 'GetDataKKT', NumDevice: 0, IdCommand: 'b' });
    expect(new Set([a['NumDevice'], b['NumDevice']])).toEqual(new Set([1, 2]));
    expect((await exec(sim, { Command: 'GetDataKKT', NumDevice: 2, IdCommand: 'c' }))['NumDevice']).toBe(2);
    expect((await exec(sim, { Command: 'GetDataKKT', NumDevice: 3, IdCommand: 'd' }))['Error']).toBe(
      'Устройство (с параметрами NumDevice=3) не найдено: не настроено или отключено.',
    );
    sim.setDeviceActive(1, false);
    expect((await exec(sim, { Command: 'GetDataKKT', NumDevice: 1, IdCommand: 'e' }))['Status']).toBe(2);
    const list = await exec(sim, { Command: 'List' });
    expect((list['ListUnit'] as Answer[]).map((u): unknown[] => [u['NumDevice'], u['OnOff']])).toEqual([
      [1, false],
      [2, true],
    ]);
  });
});
