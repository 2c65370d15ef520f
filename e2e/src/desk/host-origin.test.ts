/**
 * Issue 18 item 3: a web page in the cashier's browser cannot drive the desk. A request whose Host is not
 * one of the desk's own names (DNS rebinding: evil.example resolving to 127.0.0.1) is refused, and so is
 * a state-changing request whose Origin is another site; the desk's own pages and local tools work.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startTestDesk, startTestServer, type TestStackServer } from '../stack.ts';

let server: TestStackServer;
let desk: Awaited<ReturnType<typeof startTestDesk>>;

beforeAll(async () => {
  server = await startTestServer();
  desk = await startTestDesk(server);
  await desk.api.waitFor('first pull', (s) => s.reference.loaded && s.online);
});

afterAll(async () => {
  await desk.stop();
  removeDir(desk.dataDir);
  await server.close();
});

/** A raw request, so the Host header is the one given (fetch would set its own). */
function raw(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string }> {
  const url = new URL(desk.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const signIn = JSON.stringify({ login: 'cashier', password: 'paydesk-demo' });

describe('the desk answers its own names and its own pages', () => {
  it('a Host that is not the desk’s is refused, whatever the route', async () => {
    const port = new URL(desk.url).port;
    expect((await raw('GET', '/api/status', { host: `evil.example:${port}` })).status).toBe(403);
    const r = await raw('POST', '/api/session', { host: `evil.example:${port}`, 'content-type': 'application/json' }, signIn);
    expect(r.status).toBe(403);
    expect(r.body).not.toContain('pds_');
    expect((await raw('GET', '/api/status', { host: `127.0.0.1:${port}` })).status).toBe(200);
    expect((await raw('GET', '/api/status', { host: `localhost:${port}` })).status).toBe(200);
  });

  it('a state-changing request from another site’s page is refused; from the desk’s own page or a tool without Origin it goes', async () => {
    const port = new URL(desk.url).port;
    const host = `127.0.0.1:${port}`;
    const json = { host, 'content-type': 'application/json' };
    expect((await raw('POST', '/api/session', { ...json, origin: 'http://evil.example' }, signIn)).status).toBe(403);
    expect((await raw('POST', '/api/session', { ...json, origin: 'null' }, signIn)).status).toBe(403);
    expect((await raw('POST', '/api/session', { ...json, origin: `http://127.0.0.1:${port}` }, signIn)).status).toBe(200);
    expect((await raw('POST', '/api/session', json, signIn)).status).toBe(200);
  });
});
