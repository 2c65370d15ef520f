/**
 * Enrolment as the technician meets it (issue 17 item 6): a server that is not there is not a bad code,
 * a server's refusal keeps its words, and an answer that is not the protocol's is refused, not cast.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { enrollWithServer } from './identity.ts';

let server: Server | null = null;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = null;
});

async function answering(status: number, body: unknown): Promise<string> {
  server = createServer((_req, res) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body)));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('enrolling with the server', () => {
  it('a server that does not answer is server.unreachable, and says the code is not spent', async () => {
    await expect(enrollWithServer('http://127.0.0.1:1', 'ABCD-EFGH')).rejects.toMatchObject({
      code: 'server.unreachable',
      message: expect.stringMatching(/не потрачен/),
    });
  });

  it('a refusal is enroll.code_invalid with the server’s own words', async () => {
    const url = await answering(400, { code: 'enroll.code_invalid', detail: 'Код истёк 28.11.2026 10:00' });
    await expect(enrollWithServer(url, 'ABCD-EFGH')).rejects.toMatchObject({
      code: 'enroll.code_invalid',
      message: expect.stringMatching(/Код истёк/),
    });
  });

  it('a 200 that is not the protocol’s answer (another program on that port) is refused, not saved', async () => {
    const url = await answering(200, { hello: 'world' });
    await expect(enrollWithServer(url, 'ABCD-EFGH')).rejects.toMatchObject({
      code: 'server.unreachable',
      message: expect.stringMatching(/не сервер Paydesk/),
    });
  });
});
