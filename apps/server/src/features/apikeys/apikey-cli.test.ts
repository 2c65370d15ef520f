/**
 * Issue 24 item 8: `paydesk-server apikey create|list|revoke` on the server's own database — the key
 * printed once, the list without it, a revoked key refused by the running server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startProcess, waitForHttp, type Proc } from '@paydesk/testkit';

const bin = new URL('../../../bin/paydesk-server.mjs', import.meta.url).pathname;

describe('paydesk-server apikey', () => {
  let dir: string;
  const env = (): NodeJS.ProcessEnv => ({
    ...process.env,
    PAYDESK_DATA_DIR: dir,
    DATABASE_URL: '',
    PAYDESK_ADMIN_PASSWORD: 'first-admin',
    PAYDESK_LOG_LEVEL: 'warn',
  });
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [bin, 'apikey', ...args], { env: env(), encoding: 'utf8', timeout: 90_000 });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'paydesk-apikey-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  let created: { id: string; name: string; scopes: string[]; key: string; prefix: string; expiresAt: string | null };

  it('create prints the key once, as JSON, with its scopes and expiry', () => {
    const r = cli('create', '--name', 'Биллинг Эксперт', '--scope', 'feed', '--scope', 'read', '--expires', '2099-01-01');
    expect(r.status, r.stderr).toBe(0);
    created = JSON.parse(r.stdout) as typeof created;
    expect(created).toMatchObject({ name: 'Биллинг Эксперт', scopes: ['feed', 'read'] });
    expect(created.key).toMatch(/^pda_/);
    expect(Date.parse(created.expiresAt ?? '')).toBe(Date.parse('2099-01-01T00:00:00+03:00'));
    expect(r.stderr).toMatch(/один раз/);
  }, 120_000);

  it('refuses an unknown scope with the list of scopes', () => {
    const r = cli('create', '--name', 'x', '--scope', 'everything');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/read.*feed|feed.*read/);
  }, 120_000);

  it('list shows the key by its prefix, never the key', () => {
    const r = cli('list');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(created.id);
    expect(r.stdout).toContain(created.prefix);
    expect(r.stdout).toContain('Биллинг Эксперт');
    expect(r.stdout).not.toContain(created.key);
  }, 120_000);

  describe('against the running server', () => {
    let proc: Proc;
    let url: string;
    beforeAll(async () => {
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      proc = startProcess(process.execPath, [bin, 'serve', '--port', String(port), '--data', dir], {
        env: { PAYDESK_ADMIN_PASSWORD: 'first-admin', PAYDESK_LOG_LEVEL: 'warn', DATABASE_URL: '' },
      });
      await waitForHttp(`${url}/health`, proc, 90_000);
    }, 120_000);
    afterAll(async () => {
      await proc.kill('SIGTERM');
    });

    it('the key reads the feed; revoked through the server (--server), it answers 401', async () => {
      const feed = await fetch(`${url}/api/v1/billing/feed`, { headers: { authorization: `Bearer ${created.key}` } });
      expect(feed.status).toBe(200);
      const login = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: 'admin', password: 'first-admin' }),
      });
      const { token } = (await login.json()) as { token: string };
      const r = spawnSync(process.execPath, [bin, 'apikey', 'revoke', created.id, '--server', url, '--token', token], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('отозван');
      const after = await fetch(`${url}/api/v1/billing/feed`, { headers: { authorization: `Bearer ${created.key}` } });
      expect(after.status).toBe(401);
      expect(((await after.json()) as { code: string }).code).toBe('auth.key_revoked');
      const list = spawnSync(process.execPath, [bin, 'apikey', 'list', '--server', url, '--token', token], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(list.stdout).toMatch(/отозван/);
    }, 60_000);
  });
});
