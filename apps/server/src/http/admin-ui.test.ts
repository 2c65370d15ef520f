/** The admin UI's files at /admin: its page for any screen path, assets as files, a helpful page when not built. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { pgliteTestDb } from '../testing/test-db.ts';

const dir = mkdtempSync(join(tmpdir(), 'paydesk-admin-dist-'));
mkdirSync(join(dir, 'assets'));
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Paydesk admin</title><div id="root"></div>');
writeFileSync(join(dir, 'assets', 'app.js'), 'console.log("ui")');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function app(adminUiDir: string) {
  const open = await pgliteTestDb();
  const built = await buildApp({
    db: open.db,
    config: { logLevel: 'silent', sessionHours: 12, enrollmentHours: 24, bodyLimitBytes: 1024 * 1024, trustProxy: false, adminUiDir },
  });
  return {
    ...built,
    close: async () => {
      await built.app.close();
      await open.close();
    },
  };
}

describe('the admin UI at /admin', () => {
  it('serves its page, its assets, deep screen paths, and redirects / to it', async () => {
    const s = await app(dir);
    try {
      expect((await s.app.inject('/')).headers.location).toBe('/admin/');
      const page = await s.app.inject('/admin/');
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Paydesk admin');
      expect((await s.app.inject('/admin/assets/app.js')).body).toContain('console.log');
      const deep = await s.app.inject('/admin/desks/history');
      expect(deep.statusCode).toBe(200);
      expect(deep.headers['content-type']).toContain('text/html');
      // The API stays behind its authentication and answers problems, not the page.
      const api = await s.app.inject('/api/v1/desks');
      expect(api.statusCode).toBe(401);
      expect((await s.app.inject('/api/v1/nope')).headers['content-type']).toContain('application/problem+json');
    } finally {
      await s.close();
    }
  });

  it('says how to build it when the files are missing', async () => {
    const s = await app(join(dir, 'missing'));
    try {
      const page = await s.app.inject('/admin/');
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('npm run build');
    } finally {
      await s.close();
    }
  });
});
