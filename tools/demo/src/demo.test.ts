/**
 * `npm start` as a newcomer runs it, on free ports and a temporary data folder: the town is seeded,
 * a desk takes a payment over its API, the bills are written, Ctrl-C stops everything cleanly, the
 * second start reuses the data, and a taken port is named.
 */
import { createServer } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startProcess, type Proc } from '@paydesk/testkit';

const bin = new URL('../bin/demo.mjs', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'paydesk-demo-'));
let proc: Proc | null = null;

afterAll(async () => {
  await proc?.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(env: Record<string, string>, args: string[] = []): Promise<Proc> {
  const p = startProcess(process.execPath, [bin, ...args], { env: { PAYDESK_DATA_DIR: dataDir, ...env } });
  const deadline = Date.now() + 90_000;
  while (!p.output().includes('Paydesk работает')) {
    if (p.child.exitCode !== null) throw new Error(`the demo exited:\n${p.output()}`);
    if (Date.now() > deadline) throw new Error(`the demo did not come up:\n${p.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return p;
}

describe('npm start', () => {
  it('brings up a seeded town; a desk takes a payment; Ctrl-C stops it; the next start reuses the data', async () => {
    const ports = {
      PAYDESK_SERVER_PORT: String(await freePort()),
      PAYDESK_DESK_PORT: String(await freePort()),
      PAYDESK_SIM_PORT: String(await freePort()),
    };
    proc = await start(ports);
    const desk = `http://127.0.0.1:${ports.PAYDESK_DESK_PORT}`;
    const server = `http://127.0.0.1:${ports.PAYDESK_SERVER_PORT}`;
    expect(proc.output()).toContain(`${server}/admin/`);
    // Both UIs are served: the cashier's at the desk, the back office at the server.
    for (const url of [`${desk}/`, `${server}/admin/`]) {
      const page = await fetch(url);
      expect(page.headers.get('content-type'), url).toContain('text/html');
      expect(await page.text(), url).toContain('<div id="root">');
    }
    const call = async (path: string, body?: unknown, token?: string): Promise<Record<string, unknown>> => {
      const r = await fetch(desk + path, {
        method: body ? 'POST' : 'GET',
        headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return (await r.json()) as Record<string, unknown>;
    };
    const token = (await call('/api/session', { login: 'cashier', password: 'paydesk-demo' })).token as string;
    // The demo opened the shift of desk 1 on its first start.
    expect(proc.output()).toContain('смена № 1 открыта');
    const qr =
      readFileSync(join(dataDir, 'bills', 'qr-texts.txt'), 'utf8')
        .split('\n')[0]
        ?.split('\t')[1] ?? '';
    const scanned = await call('/api/scan', { text: qr }, token);
    expect(scanned).toMatchObject({ kind: 'bill', accountNumber: expect.stringMatching(/^\d{7}$/) });
    const paid = await call(
      '/api/payments',
      { kind: 'billing', accountNumber: scanned['accountNumber'], amountKop: scanned['amountKop'], method: 'cash' },
      token,
    );
    expect(paid).toMatchObject({ state: 'done', fiscal: { documentNumber: expect.any(Number) } });
    expect(existsSync(join(dataDir, 'bills', `bill-${String(scanned['accountNumber'])}.pdf`))).toBe(true);
    const login = await fetch(`${server}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'admin', password: 'paydesk-demo' }),
    });
    const adminToken = ((await login.json()) as { token: string }).token;
    const accounts = (await (
      await fetch(`${server}/api/v1/accounts?limit=1`, { headers: { authorization: `Bearer ${adminToken}` } })
    ).json()) as { total: number };
    expect(accounts.total).toBe(3000);

    proc.child.kill('SIGINT');
    expect(await proc.exited).toBe(0);
    proc = await start(ports);
    expect(proc.output()).not.toContain('Первый запуск');
    proc.child.kill('SIGINT');
    expect(await proc.exited).toBe(0);
    proc = null;
  }, 180_000);

  it('names a taken port and its variable, and exits non-zero', async () => {
    const blocker = createServer();
    const port = await freePort();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', () => r()));
    try {
      const p = startProcess(process.execPath, [bin], {
        env: {
          PAYDESK_DATA_DIR: dataDir,
          PAYDESK_SIM_PORT: String(port),
          PAYDESK_SERVER_PORT: String(await freePort()),
          PAYDESK_DESK_PORT: String(await freePort()),
        },
      });
      expect(await p.exited).toBe(1);
      expect(p.output()).toContain(`порт ${port} для симулятора поставщиков занят`);
      expect(p.output()).toContain('PAYDESK_SIM_PORT');
    } finally {
      blocker.close();
    }
  });
});
