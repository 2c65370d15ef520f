/**
 * The demo's desks: each in its own data folder (.data/desk-N), enrolled once through the back-office
 * API with a one-time code as an administrator would, started in this process with the virtual register.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { enrollWithServer, IdentityStore, openJournal, startDesk, type RunningDesk } from '@paydesk/desk';
import type { Api } from './seed.ts';

const DESK_UI = fileURLToPath(new URL('../../../apps/desk-ui/dist', import.meta.url));

export async function ensureDesks(
  api: Api,
  serverUrl: string,
  dataDir: string,
  ports: number[],
  log: (line: string) => void,
): Promise<RunningDesk[]> {
  const points = await api.call<{ items: { id: string; code: string }[] }>('GET', '/api/v1/points?limit=10');
  const running: RunningDesk[] = [];
  for (const [i, port] of ports.entries()) {
    const dir = join(dataDir, `desk-${i + 1}`);
    mkdirSync(dir, { recursive: true });
    const db = openJournal(join(dir, 'journal.sqlite'));
    try {
      const identity = new IdentityStore(db, dir);
      if (!identity.current()) {
        // Desks 1–2 work at the point on Ленина, further ones at the point on Мира.
        const point = points.items.find((p) => p.code === (i < 2 ? 'P1' : 'P2')) ?? points.items[0];
        const created = await api.call<{ enrollmentCode: string }>('POST', '/api/v1/desks', {
          name: `Касса ${i + 1}`,
          ...(point ? { pointId: point.id } : {}),
        });
        identity.save(serverUrl, await enrollWithServer(serverUrl, created.enrollmentCode));
        log(`Касса ${i + 1} зарегистрирована на сервере`);
      } else identity.setServerUrl(serverUrl);
    } finally {
      db.close();
    }
    const desk = await startDesk({ dataDir: dir, port, logLevel: 'warn', register: { driver: 'virtual' }, uiDir: DESK_UI });
    running.push(desk);
  }
  await waitForReference(running[0], log);
  return running;
}

/** The first desk's reference data (accounts, debts) loads before the banner says it is ready. */
async function waitForReference(desk: RunningDesk | undefined, log: (line: string) => void): Promise<void> {
  if (!desk) return;
  const deadline = Date.now() + 120_000;
  let said = false;
  while (Date.now() < deadline) {
    const s = (await (await fetch(`${desk.url}/api/status`)).json()) as { reference: { loaded: boolean; rows: number } };
    if (s.reference.loaded) return;
    if (!said) {
      log('Касса загружает справочники с сервера…');
      said = true;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  log('Справочники ещё загружаются — касса покажет ход загрузки.');
}
