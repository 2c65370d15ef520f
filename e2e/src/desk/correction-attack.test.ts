/**
 * Attack on issue 21 (correction receipts) through the desk's API.
 *
 * 1. ATOL: a real fiscal drive reads a correction back as `fiscalDocumentType: "receiptCorrection"` ([S1]
 *    ExLuzZziVo/KKTServiceLib FiscalDocumentType.cs); a proxy in front of the ATOL simulator answers so. A
 *    correction whose POST answer is lost is then journaled `failed` though the drive holds it: the journal and
 *    the register's shift totals part, and the desk tells the senior to do it again.
 * 2. Two tabs posting the same op id at once (ATOL: reading the marks takes a round trip): one document, but two
 *    «correction.made» audit rows — both calls found no row and both write the audit in their `finally`.
 * 3. The basis date is checked against the UTC date, not the point's: between 00:00 and 03:00 Moscow time (07:00
 *    in Novosibirsk) a correction dated today is refused as «in the future».
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { VirtualRegister } from '@paydesk/fiscal';
import { startAtolSimulator, startJsonServer, type AtolSimulator, type JsonServer } from '@paydesk/fiscal/testing';
import { DeskApi, removeDir, startTestDesk, startTestServer, type TestStackServer } from '../stack.ts';

let server: TestStackServer;

beforeAll(async () => {
  server = await startTestServer();
}, 60_000);

afterAll(async () => {
  await server?.close();
});

const correction = (opId: string, baseDate: string) => ({
  opId,
  direction: 'income',
  correctionType: 'self',
  baseDate,
  baseNumber: '1',
  description: 'Приём платежа без чека: ККТ не работала',
  amountKop: 250_00,
  method: 'cash',
});

/** The ATOL web server as a real drive answers it: getFnDocument of a correction says `receiptCorrection`. */
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

describe('ATOL: a correction whose POST answer is lost', () => {
  let device: VirtualRegister;
  let sim: AtolSimulator;
  let proxy: JsonServer;
  let desk: Awaited<ReturnType<typeof startTestDesk>>;
  let senior: DeskApi;

  beforeAll(async () => {
    device = new VirtualRegister({ file: ':memory:', now: () => new Date() });
    sim = await startAtolSimulator(device, { taskMs: 5 });
    proxy = await realDriveProxy(sim, device);
    desk = await startTestDesk(server, { register: { driver: 'atol', url: proxy.url } });
    await desk.api.waitFor('first pull', (s) => s.reference.loaded && s.online);
    await desk.api.login();
    await desk.api.ok('POST', '/api/shift/open', { openingFloatKop: 0 });
    senior = new DeskApi(desk.url);
    await senior.login('senior', 'paydesk-demo');
  }, 60_000);

  afterAll(async () => {
    await desk?.stop();
    if (desk) removeDir(desk.dataDir);
    await proxy?.stop();
    await sim?.stop();
    await device?.close();
  });

  it('is journaled as printed, and the shift totals stay the register’s', async () => {
    const opId = uuidv7();
    proxy.dropNextAnswer((r) => r.method === 'POST' && JSON.stringify(r.body).includes('sellCorrection'));
    const first = await senior.call<{ code?: string; detail?: string; state?: string }>(
      'POST',
      '/api/corrections',
      correction(opId, new Date().toISOString().slice(0, 10)),
    );
    const onDevice = device.receipts().filter((r) => r.operationId === opId).length;
    const row = desk.deps.runner.get(opId);
    const report = await desk.api.ok<{ journal: { sales: { cashKop: number } }; register: { sales: { cashKop: number } } | null }>(
      'GET',
      `/api/reports/shift?shift=${device.receipts()[0]?.shiftNumber ?? 1}`,
    );
    expect({
      onDevice,
      journalState: row?.state,
      answer: first.body.code ?? first.body.state,
      journalSalesCash: report.journal.sales.cashKop,
      registerSalesCash: report.register?.sales.cashKop,
    }).toEqual({ onDevice: 1, journalState: 'done', answer: 'done', journalSalesCash: 250_00, registerSalesCash: 250_00 });
  });

  it('two tabs posting the same op id at once: one document and one audit entry', async () => {
    const opId = uuidv7();
    const body = correction(opId, new Date().toISOString().slice(0, 10));
    const [a, b] = await Promise.all([
      senior.call<{ fiscal: { documentNumber: number } | null }>('POST', '/api/corrections', body),
      senior.call<{ fiscal: { documentNumber: number } | null }>('POST', '/api/corrections', body),
    ]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.fiscal?.documentNumber).toBe(b.body.fiscal?.documentNumber);
    expect(device.receipts().filter((r) => r.operationId === opId)).toHaveLength(1);
    const audit = desk.deps.db.prepare(`SELECT action FROM audit WHERE action = 'correction.made' AND op_id = ?`).all(opId);
    expect(audit).toHaveLength(1);
  });
});

describe('the virtual register', () => {
  let desk: Awaited<ReturnType<typeof startTestDesk>>;
  let senior: DeskApi;
  // The desk's clock at 22:30 UTC: 01:30 of the next day at a Moscow point.
  const now = new Date();
  const target = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 22, 30);
  const offset = now.getUTCHours() >= 21 ? 0 : target - now.getTime();
  const clock = (): Date => new Date(Date.now() + offset);

  beforeAll(async () => {
    desk = await startTestDesk(server, { clock });
    await desk.api.waitFor('first pull', (s) => s.reference.loaded && s.online);
    await desk.api.login();
    await desk.api.ok('POST', '/api/shift/open', { openingFloatKop: 0 });
    senior = new DeskApi(desk.url);
    await senior.login('senior', 'paydesk-demo');
  }, 60_000);

  afterAll(async () => {
    await desk?.stop();
    if (desk) removeDir(desk.dataDir);
  });

  const moscowToday = (): string => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Moscow' }).format(clock());

  it('at 01:30 Moscow time a correction dated today (the point’s today) is taken', async () => {
    const opId = uuidv7();
    const r = await senior.call<{ code?: string; detail?: string; state?: string }>(
      'POST',
      '/api/corrections',
      correction(opId, moscowToday()),
    );
    expect(r.status, JSON.stringify({ at: clock().toISOString(), baseDate: moscowToday(), detail: r.body.detail })).toBe(201);
  });
});
