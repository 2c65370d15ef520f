/**
 * Attack on issue 21 (correction receipts) at the driver level.
 *
 * 1. ATOL. A real ATOL fiscal drive answers `getFnDocument` for a correction receipt with
 *    `fiscalDocumentType: "receiptCorrection"` ([S1] ExLuzZziVo/KKTServiceLib, Types/Enums/FiscalDocumentType.cs:
 *    Receipt, ReceiptCorrection, Bso, BsoCorrection…), not "receipt" as the simulator does. The driver reads the
 *    kind of a stored request from that answer (atol-mapping.ts documentOf): every "held"/"found" path of a
 *    correction then takes the device's own correction for someone else's document and reports `not_done`.
 *    A proxy in front of the simulator answers as the real drive does; nothing else changes.
 * 2. KKMServer. RegisterCheck without `PayByProcessing: false` leaves it to KKMServer's own setting whether the
 *    card terminal is run for the check's ElectronicPayment (KKMServer's sample: «Использовать эквайринг:
 *    Null - из настроек на сервере»): a card correction must say false — the money changed hands before.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { composeCorrectionReceipt, type Receipt } from '@paydesk/domain';
import { VirtualRegister } from '../virtual/virtual-register.ts';
import { AtolRegister } from '../atol/atol-register.ts';
import { documentOf } from '../atol/atol-mapping.ts';
import { registerCheckCommand } from '../kkmserver/kkm-mapping.ts';
import { isFiscalError } from '../port.ts';
import { FakeClock } from './clock.ts';
import { startAtolSimulator, type AtolSimulator } from './atol-simulator.ts';
import { startJsonServer, type JsonServer } from './http-server.ts';

const cashier = { name: 'Кассир Иванова А.А.', inn: '500100732259' };

let n = 0;
function opId(): string {
  n++;
  return `0190aaaa-bbbb-7ccc-8ddd-${(Date.now() % 1e8).toString().padStart(8, '0')}${String(n).padStart(4, '0')}`;
}

function correction(direction: 'income' | 'return' = 'income', method: 'cash' | 'card' = 'cash'): Receipt {
  return composeCorrectionReceipt(
    { operationId: opId(), taxSystem: 'usn_income', cashier, method, settlementAddress: 'г. Энск, ул. Ленина, 1' },
    {
      direction,
      correction: { type: 'self', baseDate: '2026-11-30', baseNumber: '1' },
      description: 'Приём платежа без чека 30.11.2026',
      amountKop: 250_00,
    },
  );
}

/** The ATOL web server as a real one answers: getFnDocument of a correction says `receiptCorrection`. */
async function realDriveProxy(sim: AtolSimulator, device: VirtualRegister): Promise<JsonServer> {
  const isCorrection = (fd: number): boolean =>
    device.documents({ limit: 1_000_000 }).some((d) => d.documentNumber === fd && d.tape.includes('ЧЕК КОРРЕКЦИИ'));
  return startJsonServer(async (req) => {
    const r = await fetch(sim.url + req.path, {
      method: req.method,
      headers: req.body === null ? {} : { 'content-type': 'application/json' },
      ...(req.body === null ? {} : { body: JSON.stringify(req.body) }),
    });
    const text = await r.text();
    const parsed = ((): { body: unknown } | null => {
      try {
        return { body: text ? (JSON.parse(text) as unknown) : null };
      } catch {
        return null;
      }
    })();
    if (!parsed) return { status: r.status, body: null, text };
    const body = parsed.body;
    const results = (body as { results?: { result?: { documentTLV?: Record<string, unknown> } }[] } | null)?.results;
    for (const x of results ?? []) {
      const tlv = x.result?.documentTLV;
      if (tlv && tlv['fiscalDocumentType'] === 'receipt' && isCorrection(Number(tlv['1040'])))
        tlv['fiscalDocumentType'] = 'receiptCorrection';
    }
    return { status: r.status, body };
  });
}

describe('ATOL: a correction receipt on a drive that answers as a real one (fiscalDocumentType receiptCorrection)', () => {
  let clock: FakeClock;
  let device: VirtualRegister;
  let sim: AtolSimulator;
  let proxy: JsonServer;
  let register: AtolRegister;

  beforeEach(async () => {
    clock = new FakeClock();
    device = new VirtualRegister({ file: ':memory:', now: clock.now });
    sim = await startAtolSimulator(device, { taskMs: 5 });
    proxy = await realDriveProxy(sim, device);
    register = new AtolRegister({ url: proxy.url, pollIntervalMs: 5, requestTimeoutMs: 2000 });
    await register.openShift(opId(), cashier);
  });

  afterEach(async () => {
    await proxy.stop();
    await sim.stop();
    await device.close();
  });

  it('the mapping reads a correction document back as the receipt it is', () => {
    const doc = documentOf({ documentTLV: { fiscalDocumentType: 'receiptCorrection', '1040': 7, '1054': 1, '1020': 250 } }, () => {});
    expect(doc?.kind).toBe('sale');
  });

  it('the same op id sent again answers with the same document (it is not "someone else\'s document")', async () => {
    const c = correction();
    const first = await register.registerReceipt(c);
    const again = await register.registerReceipt(c).catch((e: unknown) => e);
    expect(again, String((again as Error).message)).toMatchObject({ documentNumber: first.documentNumber });
    expect(device.receipts()).toHaveLength(1);
  });

  it('a correction whose POST answer is lost is reported done, not "not done" (which the desk lets be done again)', async () => {
    const c = correction('income');
    proxy.dropNextAnswer((r) => r.method === 'POST' && /requests$/.test(r.path));
    const out = await register.registerReceipt(c).then(
      (r) => ({ ok: true as const, documentNumber: r.documentNumber }),
      (e: unknown) => ({ ok: false as const, outcome: isFiscalError(e) ? e.outcome : 'thrown', message: (e as Error).message }),
    );
    // The device did print it: exactly one document under this op id.
    expect(device.receipts().filter((r) => r.operationId === c.operationId)).toHaveLength(1);
    expect(out).toEqual({ ok: true, documentNumber: expect.any(Number) });
  });
});

describe('KKMServer: a card correction never asks KKMServer to run the card terminal', () => {
  it('RegisterCheck of a card correction says PayByProcessing: false', () => {
    for (const direction of ['income', 'return'] as const) {
      const cmd = registerCheckCommand(correction(direction, 'card'));
      expect(cmd['ElectronicPayment']).toBe(250);
      expect(cmd['PayByProcessing'], `TypeCheck ${String(cmd['TypeCheck'])}`).toBe(false);
    }
  });
});
