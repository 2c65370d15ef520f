import { describe, expect, it } from 'vitest';
import { VirtualRegister } from '../virtual/virtual-register.ts';
import { KkmServerRegister } from './kkm-register.ts';
import { registerCheckCommand } from './kkm-mapping.ts';
import { kkmErrorCode } from './kkm-errors.ts';
import { FakeClock } from '../testing/clock.ts';
import { startKkmSimulator } from '../testing/kkm-simulator.ts';
import { registerContract, utilityReceipt } from '../testing/register-contract.ts';

const command =
  (name: string) =>
  (r: { body: unknown }): boolean =>
    (r.body as { Command?: string } | null)?.Command === name;

registerContract('kkmserver', async ({ agentTypes }) => {
  const clock = new FakeClock();
  const device = new VirtualRegister({ file: ':memory:', now: clock.now, ...(agentTypes ? { agentTypes } : {}) });
  const sim = await startKkmSimulator(device);
  let stopped = false;
  return {
    // The contract checks what status reads, so it reads the register every time; keeping the state
    // between reads (the default) is tested with issue 25.
    register: new KkmServerRegister({ url: sim.url, pollIntervalMs: 5, requestTimeoutMs: 2000, statusMaxAgeMs: 0 }),
    device,
    clock,
    loseNextAnswer: () => {
      sim.dropNextAnswer(command('RegisterCheck'));
      sim.dropNextAnswer(command('GetRezult'));
    },
    cutLink: async () => {
      stopped = true;
      await sim.stop();
    },
    capabilities: { totals: false, drawer: false, notPrinted: false, forgetsOperations: true },
    stop: async () => {
      if (!stopped) await sim.stop();
      await device.close();
    },
  };
});

describe('kkmserver: mapping of a utility payment with two suppliers and a commission', () => {
  it('builds the RegisterCheck of the spec', () => {
    const receipt = utilityReceipt();
    const cmd = registerCheckCommand(receipt);
    expect(cmd).toMatchObject({
      Command: 'RegisterCheck',
      IdCommand: receipt.operationId,
      IsFiscalCheck: true,
      TypeCheck: 0,
      TaxVariant: '1',
      CashierName: 'Кассир Иванова А.А.',
      CashierVATIN: '500100732259',
      Cash: 1515,
      ElectronicPayment: 0,
    });
    const lines = (cmd['CheckStrings'] as { Register?: Record<string, unknown> }[]).flatMap((s) => (s.Register ? [s.Register] : []));
    expect(lines[0]).toEqual({
      Name: 'Оплата ЖКУ, л/с 1234567, за 10.2026: Содержание жилья',
      Quantity: 1,
      Price: 1000,
      Amount: 1000,
      Department: 0,
      Tax: -1,
      SignMethodCalculation: 4,
      SignCalculationObject: 10,
      MeasureOfQuantity: 0,
      AgentSign: 2,
      AgentData: { PayingAgentOperation: 'Прием платежа', PayingAgentPhone: '+78001000000', ReceivePaymentsOperatorPhone: '+78001000001' },
      PurveyorData: { PurveyorName: 'ООО "УК Дом"', PurveyorVATIN: '7707083893', PurveyorPhone: '+74950000000' },
    });
    expect(lines[1]).toMatchObject({ SignCalculationObject: 10, AgentSign: 2, PurveyorData: { PurveyorVATIN: '500100732259' } });
    expect(lines[2]).toMatchObject({ SignCalculationObject: 11, Amount: 15 });
    expect(lines[2]).not.toHaveProperty('AgentSign');
  });

  it('reads KKMServer’s error texts', () => {
    expect(kkmErrorCode('Нет бумаги')).toBe('paper_out');
    expect(kkmErrorCode('Смена превысила 24 часа')).toBe('shift_expired');
    expect(kkmErrorCode('Смена закрыта - операция невозможна')).toBe('shift_closed');
    expect(kkmErrorCode('Недостаточно наличных в кассе')).toBe('not_enough_cash');
    expect(kkmErrorCode('Что-то совсем другое')).toBe('rejected');
  });

  it('a resend after a desk restart is answered AlreadyDone and the original result is fetched', async () => {
    const device = new VirtualRegister({ file: ':memory:' });
    const sim = await startKkmSimulator(device);
    try {
      const kkm = new KkmServerRegister({ url: sim.url, pollIntervalMs: 5 });
      await kkm.openShift('0190f0d6-0000-7000-8000-00000000bb01', { name: 'Кассир' });
      const receipt = utilityReceipt();
      const a = await kkm.registerReceipt(receipt);
      const b = await new KkmServerRegister({ url: sim.url, pollIntervalMs: 5 }).registerReceipt(receipt);
      expect(b.documentNumber).toBe(a.documentNumber);
      expect(device.receipts()).toHaveLength(1);
      expect(sim.commandsSeen().filter((c) => c['Command'] === 'RegisterCheck')).toHaveLength(2);
    } finally {
      await sim.stop();
      await device.close();
    }
  });
});
