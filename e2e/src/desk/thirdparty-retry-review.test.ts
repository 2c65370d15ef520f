/**
 * Issue 16, adversarial review (guarantee 3). A third-party refund whose register answer was lost (outcome unknown) is retried
 * by the cashier under the SAME op id — exactly what the reversal dialog does: it keeps the op id after
 * `fiscal.outcome_unknown`. reverse.ts:98 skips the hold for an existing `fiscal_pending` reversal; the
 * runner settles it first: the register did not print it → `failed` → the changed hook turns the hold
 * `release_pending` and triggers a push whose afterPush releases it on the server (the forwarding is
 * `queued` again) — while the same runner.run() goes straight on to print the return receipt
 * (fiscal-runner.ts attempt(): a settled-failed row is executed again, with no new hold). The forwarding
 * worker credits the payment before the reversal op reaches the server: refunded in cash AND credited.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FiscalError } from '@paydesk/fiscal';
import { ForwardingWorker } from '@paydesk/server/forwarding';
import { startProviderSim, type ProviderSim } from '@paydesk/provider-sim';
import { removeDir, startTestDesk, startTestServer, type TestStackServer } from '../stack.ts';

let server: TestStackServer;
let sim: ProviderSim;
let desk: Awaited<ReturnType<typeof startTestDesk>>;
let worker: ForwardingWorker | null = null;

beforeEach(async () => {
  server = await startTestServer();
  sim = await startProviderSim({ providers: [{ code: 'MTS', mask: '^9\\d{9}$', minKop: 1000, maxKop: 1_500_000, openAccounts: true }] });
  await server.open.db
    .updateTable('providers')
    .set({ osmp_url: `${sim.url}/p/MTS/payment_app.cgi`, timeout_ms: 1000 })
    .where('code', '=', 'MTS')
    .execute();
  desk = await startTestDesk(server);
  await desk.api.waitFor('first pull', (s) => s.reference.loaded && s.online);
  await desk.api.login('senior');
  await desk.api.ok('POST', '/api/shift/open', { openingFloatKop: 500_000 });
});

afterEach(async () => {
  await worker?.stop();
  worker = null;
  await desk.stop();
  removeDir(desk.dataDir);
  await sim.stop();
  await server.close();
});

const returns = async (): Promise<number> =>
  (await desk.api.ok<{ items: { kind: string }[] }>('GET', '/api/test/receipts')).items.filter((r) => r.kind === 'sale_return').length;
const forwardingState = async (opId: string): Promise<string | undefined> =>
  (await server.open.db.selectFrom('forwardings').select('state').where('op_id', '=', opId).executeTakeFirst())?.state;

describe('ATTACK: the same reversal op id retried after an unknown outcome', () => {
  it('the retry prints the refund after the hold was released: the provider credits it too', async () => {
    const account = '9161110077';
    const paid = await desk.api.ok<{ paymentId: string }>('POST', '/api/payments', {
      kind: 'thirdparty',
      providerCode: 'MTS',
      account,
      amountKop: 50_000,
      method: 'cash',
    });
    await desk.api.waitFor('sent', (s) => s.unsentCount === 0);
    const opId = '01900000-0000-7000-8000-00000000abcd'.replace(/^.{8}/, paid.paymentId.slice(0, 8)); // the dialog's op id
    // The link to the register drops while the return receipt is sent (it never reached the device) and
    // is still down for the settle right after: outcome unknown. (A wrapper, because the virtual register's
    // own fault would strike at the marks read before the call.)
    const real = desk.deps.register.current;
    const dropNext = { receipt: 1, lookup: 1 };
    desk.deps.register.current = new Proxy(real, {
      get(target, prop) {
        if (prop === 'registerReceipt' && dropNext.receipt > 0)
          return async () => {
            dropNext.receipt--;
            throw new FiscalError('unavailable', 'таймаут', 2, 'unknown');
          };
        if (prop === 'lookupOperation' && dropNext.lookup > 0)
          return async () => {
            dropNext.lookup--;
            throw new FiscalError('unavailable', 'таймаут', 2, 'unknown');
          };
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const first = await desk.api.call<{ code: string }>('POST', '/api/reversals', {
      opId,
      paymentId: paid.paymentId,
      reason: 'Ошибся номером',
    });
    expect(first.body.code).toBe('fiscal.outcome_unknown');
    expect(await forwardingState(paid.paymentId)).toBe('held');
    // The register answers again; the cashier presses «Сторнировать» again in the same dialog (same op id).
    const second = await desk.api.call('POST', '/api/reversals', { opId, paymentId: paid.paymentId, reason: 'Ошибся номером' });
    expect(second.status).toBe(201);
    expect(await returns()).toBe(1); // 510,00 ₽ handed back in cash
    // The forwarding worker's next round (every 500 ms), before the desk's next push carries the reversal.
    worker = new ForwardingWorker(server.open.db, null, { retryBaseMs: 200, maxRetryMs: 400 });
    await new Promise((r) => setTimeout(r, 300));
    await worker.runOnce();
    const credited = sim.ledger().filter((l) => l.account === account);
    expect(
      { forwarding: await forwardingState(paid.paymentId), credited: credited.length },
      'refunded in cash and credited by the provider',
    ).toEqual({ forwarding: 'cancelled', credited: 0 });
  });
});
