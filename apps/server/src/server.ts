/**
 * Running the server: open the database (PostgreSQL when DATABASE_URL is set, else PGlite in the data
 * folder), migrate, make sure there is an administrator, listen, start the background workers, and
 * stop cleanly on SIGINT/SIGTERM.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import type { ServerConfig } from './config.ts';
import { lockDataFolder } from '@paydesk/http-kit';
import { migrate, openDatabase, type OpenDatabase } from './db/database.ts';
import { bootstrap } from './bootstrap.ts';
import { auditHead } from './features/audit/audit-log.ts';
import { loadAuditKey } from './security/audit-key.ts';
import { failInterruptedImports } from './features/imports/import-file.ts';
import type { Worker } from './workers.ts';
import { startWorkers } from './workers.ts';

export interface RunningServer {
  app: FastifyInstance;
  open: OpenDatabase;
  url: string;
  stop(): Promise<void>;
}

export async function openConfiguredDatabase(config: ServerConfig): Promise<{ open: OpenDatabase; release: () => void }> {
  if (config.databaseUrl) return { open: await openDatabase({ url: config.databaseUrl, poolSize: config.poolSize }), release: () => {} };
  const dir = join(config.dataDir, 'server-db');
  const release = lockDataFolder(
    config.dataDir,
    (pid) => `Папка данных ${config.dataDir} занята процессом ${pid} (работающий сервер). Остановите его или используйте --server URL.`,
  );
  try {
    return { open: await openDatabase({ dataDir: dir }), release };
  } catch (e) {
    release();
    throw e;
  }
}

export async function startServer(config: ServerConfig, log: (line: string) => void = console.log): Promise<RunningServer> {
  const { open, release } = await openConfiguredDatabase(config);
  await migrate(open.db);
  await bootstrap(open.db, config.adminPassword, log, loadAuditKey(config));
  // The chain's head, published: a copy of this line kept elsewhere shows later whether entries were cut off the end.
  const head = await auditHead(open.db);
  if (head) log(`Журнал аудита: голова цепочки — запись ${head.id}, ${head.hash}`);
  const stopped = await failInterruptedImports(open.db);
  if (stopped > 0) log(`Загрузок, прерванных остановкой сервера: ${stopped} — отмечены как не загруженные; загрузите те же файлы снова`);
  const { app, metrics } = await buildApp({ db: open.db, config });
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
  const workers: Worker[] = config.workers === 'inline' ? startWorkers(open.db, app.log, metrics) : [];
  let stopping: Promise<void> | null = null;
  return {
    app,
    open,
    url,
    stop() {
      stopping ??= (async () => {
        await Promise.all(workers.map((w) => w.stop()));
        await app.close();
        await open.close();
        release();
      })();
      return stopping;
    },
  };
}
