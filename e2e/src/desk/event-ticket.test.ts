/**
 * Issue 18 item 1: the cashier's session token never reaches the desk's log. The event stream (a browser's
 * EventSource sends no headers) opens with a short-lived single-use ticket instead of ?token=, and any
 * token or ticket in a logged URL is redacted.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startTestDesk, startTestServer, type TestStackServer } from '../stack.ts';

let server: TestStackServer;
let desk: Awaited<ReturnType<typeof startTestDesk>>;
const lines: string[] = [];

beforeAll(async () => {
  server = await startTestServer();
  const logStream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  desk = await startTestDesk(server, { logLevel: 'info', logStream });
  await desk.api.waitFor('first pull', (s) => s.reference.loaded && s.online);
  await desk.api.login();
});

afterAll(async () => {
  await desk.stop();
  removeDir(desk.dataDir);
  await server.close();
});

/** Opens the event stream, reads its first event and closes it; answers the status. */
async function openStream(query: string): Promise<{ status: number; first: string }> {
  const controller = new AbortController();
  const r = await fetch(new URL(`/api/events?${query}`, desk.url), { signal: controller.signal });
  let first = '';
  if (r.ok && r.body) {
    const reader = r.body.getReader();
    const { value } = await reader.read();
    first = new TextDecoder().decode(value);
  }
  controller.abort();
  return { status: r.status, first };
}

describe('the event stream’s ticket', () => {
  it('a ticket opens the stream once; the session token in the query does not; neither is in the log', async () => {
    const token = desk.api.token as string;
    const { ticket } = await desk.api.ok<{ ticket: string }>('POST', '/api/events/ticket');
    expect(ticket).not.toBe(token);
    const opened = await openStream(`ticket=${encodeURIComponent(ticket)}`);
    expect(opened.status).toBe(200);
    expect(opened.first).toMatch(/event: status/);
    expect((await openStream(`ticket=${encodeURIComponent(ticket)}`)).status).toBe(401);
    expect((await openStream(`token=${encodeURIComponent(token)}`)).status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const log = lines.join('');
    expect(log).toContain('/api/events');
    expect(log).not.toContain(token);
    expect(log).not.toContain(ticket);
  });

  it('a ticket needs a session', async () => {
    const r = await fetch(new URL('/api/events/ticket', desk.url), { method: 'POST' });
    expect(r.status).toBe(401);
  });
});
