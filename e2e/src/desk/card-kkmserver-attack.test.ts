/**
 * Attack on issue 21 through KKMServer (tools/acquiring-sim, whose ledger is the bank's truth).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { startAcquiringSim, type AcquiringSim } from '@paydesk/acquiring-sim';
import { startJsonServer, type JsonServer } from '@paydesk/fiscal/testing';
import { backupDataFolder } from '@paydesk/desk/src/db/backup.ts';
import { DeskApi, removeDir, startTestDesk, startTestServer, type TestStackServer } from '../stack.ts';

type Desk = Awaited<ReturnType<typeof startTestDesk>>;
let server: TestStackServer;
let sim: AcquiringSim;
let proxy: JsonServer | null = null;
let desk: Desk | null = null;
const dirs: string[] = [];

beforeEach(async () => {
  server = await startTestServer();
  sim = await startAcquiringSim();
}, 60_000);
afterEach(async () => {
  if (desk) {
    await desk.stop();
    removeDir(desk.dataDir);
    desk = null;
  }
  await proxy?.stop();
  proxy = null;
  await sim.stop();
  await server.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const sale = (opId: string, quantity = 3) => ({ opId, kind: 'service', items: [{ code: 'COPY_A4', quantity }], method: 'card' });
const receipts = async (d: Desk, opId: string): Promise<{ kind: string; cardKop: number }[]> =>
  (await d.api.ok<{ items: { operationId: string; kind: string; cardKop: number }[] }>('GET', '/api/test/receipts')).items.filter(
    (r) => r.operationId === opId,
  );

async function started(url: string, dataDir?: string): Promise<Desk> {
  const d = await startTestDesk(server, { terminal: { driver: 'kkmserver', url }, ...(dataDir ? { dataDir } : {}) });
  await d.api.waitFor('online', (s) => s.reference.loaded && s.online);
  await d.api.login();
  return d;
}

describe('ATTACK: the terminal charged a sum other than asked', () => {
  it('a receipt is never printed for a sum other than what the bank charged', async () => {
    // Between the desk and KKMServer: the pinpad charges 1 ₽ more than asked (a payer's tip, a
    // terminal's own surcharge, a stale amount on the pinpad) and says so in Amount.
    proxy = await startJsonServer(async (req) => {
      const cmd = { ...(req.body as Record<string, unknown>) };
      if (cmd['Command'] === 'PayByPaymentCard') cmd['Amount'] = Number(cmd['Amount']) + 1;
      const r = await fetch(new URL(req.path, sim.url), {
        method: req.method,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(cmd),
      });
      return { status: r.status, body: (await r.json()) as unknown };
    });
    desk = await started(proxy.url);
    await desk.api.ok('POST', '/api/shift/open', { openingFloatKop: 0 });
    const before = sim.netChargedKop();
    const opId = uuidv7();
    const r = await desk.api.call<{ state?: string; totalKop?: number; code?: string }>('POST', '/api/payments', sale(opId));
    const charged = sim.netChargedKop() - before;
    const printed = await receipts(desk, opId);
    // Either no receipt (the charge reversed or left to a senior), or a receipt for exactly what was charged.
    expect({ charged, receiptKop: printed.map((p) => p.cardKop), answer: r.body.state ?? r.body.code }).toEqual(
      printed.length === 0 ? { charged: 0, receiptKop: [], answer: r.body.code } : { charged, receiptKop: [charged], answer: 'done' },
    );
  });
});

describe('ATTACK: journal restored from a copy taken while a charge was in flight; KKMServer restarted since', () => {
  it('the charge that was approved and receipted after the copy is not declared "never reached the terminal"; once a senior records its RRN, its reversal refunds the card', async () => {
    desk = await started(sim.url);
    await desk.api.ok('POST', '/api/shift/open', { openingFloatKop: 0 });
    const dataDir = desk.dataDir;
    const opId = uuidv7();
    // The payer is slow at the pinpad; the nightly copy is taken meanwhile.
    sim.present({ behaviour: 'slow', polls: 4 });
    const paying = desk.api.call<{ state: string; totalKop: number; card: { rrn: string } | null }>('POST', '/api/payments', sale(opId));
    const db = desk.deps.db;
    for (let i = 0; ; i++) {
      const row = db.prepare(`SELECT state FROM card_charges WHERE op_id = ?`).get(opId) as { state: string } | undefined;
      if (row?.state === 'pending') break;
      if (i > 200) throw new Error('charge never pending');
      await new Promise((r) => setTimeout(r, 20));
    }
    const out = join(mkdtempSync(join(tmpdir(), 'paydesk-card-copy-')), 'copy');
    dirs.push(out);
    backupDataFolder(dataDir, out);
    const paid = (await paying).body;
    expect(paid.state).toBe('done');
    // The day goes on: another payer pays by card.
    await desk.api.ok('POST', '/api/payments', sale(uuidv7(), 1));
    const beforeRestore = sim.netChargedKop();
    // The disk dies; the machine (and KKMServer with it) restarts; the journal is put back from the copy.
    await desk.stop();
    sim.restart();
    for (const f of readdirSync(dataDir)) if (f.startsWith('journal.sqlite')) rmSync(join(dataDir, f));
    writeFileSync(join(dataDir, 'journal.sqlite'), readFileSync(join(out, 'journal.sqlite')));
    desk = await started(sim.url, dataDir);
    await desk.api.waitForPayment(opId, (p) => p.state === 'done');
    for (let i = 0; i < 100 && desk.deps.cards.open().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    const charge = desk.deps.db.prepare(`SELECT state, reason FROM card_charges WHERE op_id = ?`).get(opId) as {
      state: string;
      reason: string;
    };
    // The bank did charge it (and it was never reversed): the journal must not say otherwise.
    const inLedger = sim.ledger().filter((e) => e.idCommand === opId && !e.reversed);
    expect(inLedger).toHaveLength(1);
    // The desk cannot learn the RRN (KKMServer forgot the command, and a receipted payment is never
    // reversed at the terminal): the charge waits for a senior, and no card return is printed meanwhile.
    expect(charge.state).toBe('unknown');
    expect(charge.reason).toContain('чек пробит');
    const refused = await desk.api.call<{ code?: string }>('POST', '/api/reversals', { paymentId: opId, reason: 'Ошибка' });
    expect(refused.body.code).toBe('card.outcome_unknown');
    expect(sim.netChargedKop()).toBe(beforeRestore);
    // The senior reads the RRN and code off the terminal's report and records them.
    const entry = inLedger[0] as { rrn: string };
    const senior = new DeskApi(desk.url);
    await senior.login('senior', 'paydesk-demo');
    await senior.ok('POST', `/api/card/charges/${opId}/settle`, { charged: true, rrn: entry.rrn, authCode: entry.rrn.slice(-6) });
    // Now its reversal goes back to the card, not to cash.
    const rev = await desk.api.call<{ state?: string; code?: string; reversalId?: string }>('POST', '/api/reversals', {
      paymentId: opId,
      reason: 'Ошибка',
    });
    const returned = rev.body.reversalId ? await receipts(desk, rev.body.reversalId) : [];
    expect({
      reversal: rev.body.state ?? rev.body.code,
      returnReceipts: returned.length,
      refundedToCardKop: beforeRestore - sim.netChargedKop(),
    }).toEqual({ reversal: 'done', returnReceipts: 1, refundedToCardKop: paid.totalKop });
  }, 60_000);
});

describe('ATTACK: reversal refused by the register after the card was refunded (KKMServer)', () => {
  it('the reopened reversal (new op id) completes with one return receipt and one refund', async () => {
    desk = await started(sim.url);
    await desk.api.ok('POST', '/api/shift/open', { openingFloatKop: 0 });
    const opId = uuidv7();
    const paid = await desk.api.ok<{ totalKop: number }>('POST', '/api/payments', sale(opId));
    const before = sim.netChargedKop();
    await desk.api.ok('POST', '/api/test/register', { cover: true });
    const first = await desk.api.call<{ code: string }>('POST', '/api/reversals', { opId: uuidv7(), paymentId: opId, reason: 'Ошибка' });
    expect(first.body.code).toBe('fiscal.cover_open');
    await desk.api.ok('POST', '/api/test/register', { cover: false });
    const second = await desk.api.call<{ state?: string; code?: string; detail?: string }>('POST', '/api/reversals', {
      opId: uuidv7(),
      paymentId: opId,
      reason: 'Ошибка',
    });
    expect({ second: second.body.state ?? `${second.body.code}: ${second.body.detail}`, refunded: before - sim.netChargedKop() }).toEqual({
      second: 'done',
      refunded: paid.totalKop,
    });
  }, 60_000);
});
