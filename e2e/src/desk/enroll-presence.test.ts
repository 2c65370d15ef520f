/**
 * Issue 18 item 3: a desk not enrolled yet takes its enrolment only from someone at the desk itself — the
 * server's code and the desk's own one-time code, which the desk writes to its console log and to
 * enroll.pin in its data folder (owner-only). Another local user or a page cannot enroll it to a server
 * of theirs by knowing the port.
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDesk, type RunningDesk } from '@paydesk/desk';
import { removeDir, startTestServer, type TestStackServer } from '../stack.ts';

let server: TestStackServer;
let desk: RunningDesk;
let dataDir: string;

beforeAll(async () => {
  server = await startTestServer();
  dataDir = mkdtempSync(join(tmpdir(), 'paydesk-fresh-'));
  desk = await startDesk({ dataDir, port: 0, logLevel: 'silent' });
});

afterAll(async () => {
  await desk.stop();
  removeDir(dataDir);
  await server.close();
});

const enroll = (body: object) =>
  fetch(new URL('/api/enroll', desk.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('enrolling a fresh desk', () => {
  it('needs the desk’s own one-time code; without it or with a wrong one nothing is enrolled', async () => {
    const code = await server.enrollmentCode('Касса 7');
    const without = await enroll({ serverUrl: server.url, code });
    expect(without.status).toBe(403);
    expect(((await without.json()) as { detail: string }).detail).toMatch(/enroll\.pin/);
    expect((await enroll({ serverUrl: server.url, code, pin: '000000' })).status).toBe(403);
    expect(((await (await fetch(new URL('/api/status', desk.url))).json()) as { enrolled: boolean }).enrolled).toBe(false);

    const pinFile = join(dataDir, 'enroll.pin');
    if (process.platform !== 'win32') expect(statSync(pinFile).mode & 0o077).toBe(0);
    const pin = readFileSync(pinFile, 'utf8').trim();
    const ok = await enroll({ serverUrl: server.url, code, pin });
    expect(ok.status, await ok.clone().text()).toBe(200);
    expect(((await (await fetch(new URL('/api/status', desk.url))).json()) as { enrolled: boolean }).enrolled).toBe(true);
  });
});
