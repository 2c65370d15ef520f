/**
 * Issue 24 (B8 of the integrator's run): `paydesk-server export registry` and `day close` work against a
 * running server with --server and --token like the other commands, and the registry comes as JSON too.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeText } from '@paydesk/domain';
import { freePort, startProcess, waitForHttp, type Proc } from '@paydesk/testkit';

const bin = new URL('../../../bin/paydesk-server.mjs', import.meta.url).pathname;
const INN = '7707083893';

describe('paydesk-server export registry and day close through a running server', () => {
  let dir: string;
  let proc: Proc;
  let url: string;
  let token: string;
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [bin, ...args, '--server', url, '--token', token], { encoding: 'utf8', timeout: 60_000, cwd: dir });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paydesk-export-cli-'));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    proc = startProcess(process.execPath, [bin, 'serve', '--port', String(port), '--data', dir], {
      env: { PAYDESK_ADMIN_PASSWORD: 'first-admin', PAYDESK_LOG_LEVEL: 'warn', DATABASE_URL: '' },
    });
    await waitForHttp(`${url}/health`, proc, 90_000);
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'admin', password: 'first-admin' }),
    });
    token = ((await login.json()) as { token: string }).token;
    const created = await fetch(`${url}/api/v1/suppliers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        name: 'ООО "УК Дом"',
        inn: INN,
        account: '40702810938000000001',
        commission: { kind: 'none', mode: 'on_top' },
        agentType: 'paying_agent',
      }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await proc.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('export registry --format json prints the registry; --format sber writes the bank’s file under its name', () => {
    const json = cli('export', 'registry', '--date', '2026-11-28', '--supplier', INN, '--format', 'json');
    expect(json.status, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      supplier: { inn: INN },
      date: '2026-11-28',
      lines: [],
      totals: { payments: 0, reversals: 0 },
    });
    const sber = cli('export', 'registry', '--date', '2026-11-28', '--supplier', INN);
    expect(sber.status, sber.stderr).toBe(0);
    const name = `${INN}_40702810938000000001_28112026.txt`;
    expect(sber.stdout).toContain(name);
    expect(decodeText(new Uint8Array(readFileSync(join(dir, name))), 'windows-1251')).toBe('=0;0,00;0,00;0,00;\r\n');
  }, 60_000);

  it('day close answers as the server does: an unknown point, a day with nothing in it', () => {
    const unknown = cli('day', 'close', '--point', 'NOPE', '--date', '2026-11-28');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/404.*NOPE/);
    const empty = cli('day', 'close', '--point', 'P1', '--date', '2026-11-28', '--force');
    expect(empty.status).toBe(1);
    expect(empty.stderr).toMatch(/409.*нет платежей/);
  }, 60_000);
});
