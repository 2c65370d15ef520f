/**
 * A shift opened twice or closed twice is refused before anything is journaled: the desk asks the
 * register's state first, so a refusal leaves the journal as it was (found by the desk fuzz test: a
 * second «open shift» left a failed operation behind).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startTestDesk, startTestServer, type TestStackServer } from '../stack.ts';

let server: TestStackServer;
let desk: Awaited<ReturnType<typeof startTestDesk>>;

beforeAll(async () => {
  server = await startTestServer();
  desk = await startTestDesk(server);
  await desk.api.waitFor('first pull', (s) => s.reference.loaded && s.online);
  await desk.api.login();
});

afterAll(async () => {
  await desk.stop();
  removeDir(desk.dataDir);
  await server.close();
});

const operations = (): number => (desk.deps.db.prepare('SELECT count(*) AS n FROM operations').get() as { n: number }).n;

describe('shift refusals change nothing', () => {
  it('a second open is shift.already_open and journals nothing; so is a close of a closed shift', async () => {
    await desk.api.ok('POST', '/api/shift/open', { openingFloatKop: 0 });
    const before = operations();
    const again = await desk.api.call<{ code: string }>('POST', '/api/shift/open', {});
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('shift.already_open');
    expect(operations()).toBe(before);

    await desk.api.ok('POST', '/api/shift/close', { confirmUnsent: true });
    const closed = operations();
    const twice = await desk.api.call<{ code: string }>('POST', '/api/shift/close', { confirmUnsent: true });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('shift.closed');
    expect(operations()).toBe(closed);
  });
});
