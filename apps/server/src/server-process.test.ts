/**
 * The server as a newcomer runs it: the real command, on an empty data folder, with nothing
 * installed; health, API docs and metrics answer; a second process cannot open the same folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startProcess, waitForHttp, type Proc } from '@paydesk/testkit';

const bin = new URL('../bin/paydesk-server.mjs', import.meta.url).pathname;

describe('paydesk-server serve (PGlite)', () => {
  let dir: string;
  let proc: Proc;
  let url: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paydesk-server-'));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    proc = startProcess(process.execPath, [bin, 'serve', '--port', String(port), '--data', dir], {
      env: { PAYDESK_ADMIN_PASSWORD: 'first-admin', PAYDESK_LOG_LEVEL: 'warn', DATABASE_URL: '' },
    });
    await waitForHttp(`${url}/health`, proc, 90_000);
  }, 120_000);
  afterAll(async () => {
    await proc.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers health, OpenAPI and metrics', async () => {
    expect(await (await fetch(`${url}/health`)).json()).toMatchObject({ status: 'ok' });
    const openapi = (await (await fetch(`${url}/api/docs/json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(openapi.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(['/api/v1/sync/push', '/api/v1/sync/pull', '/api/v1/desks/enroll', '/api/v1/billing/feed']),
    );
    expect(await (await fetch(`${url}/metrics`)).text()).toContain('paydesk_sync_ops_total');
  });

  it('created the administrator from PAYDESK_ADMIN_PASSWORD', async () => {
    const r = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'admin', password: 'first-admin' }),
    });
    expect(r.status).toBe(200);
    const bad = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'admin', password: 'wrong' }),
    });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(proc.output()).not.toContain('first-admin');
    expect(proc.output()).not.toContain('wrong');
  });

  it('a data command refuses the folder of a running server and says what to do', () => {
    const r = spawnSync(process.execPath, [bin, 'desk', 'create', '--name', 'X'], {
      env: { ...process.env, PAYDESK_DATA_DIR: dir, DATABASE_URL: '' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/занята процессом \d+.*--server/);
  });

  it('creates a desk through the running server’s API with --server', async () => {
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'admin', password: 'first-admin' }),
    });
    const { token } = (await login.json()) as { token: string };
    const r = spawnSync(process.execPath, [bin, 'desk', 'create', '--name', 'Касса 7', '--server', url, '--token', token], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const created = JSON.parse(r.stdout) as { deskId: string; enrollmentCode: string };
    const enroll = await fetch(`${url}/api/v1/desks/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ enrollmentCode: created.enrollmentCode }),
    });
    expect(enroll.status).toBe(200);
    const again = await fetch(`${url}/api/v1/desks/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ enrollmentCode: created.enrollmentCode }),
    });
    expect(again.status).toBe(400);
    expect(((await again.json()) as { code: string }).code).toBe('enroll.code_invalid');
  });
});
