/**
 * paydesk-desk: serve the desk (the cashier's local service), or enroll it with the server using the
 * one-time code from the back office. The desk's key is stored readable by its user only.
 */
import { Command } from 'commander';
import { loadDeskConfig } from './config.ts';
import { JOURNAL_SCHEMA_VERSION, openJournal } from './db/journal-db.ts';
import { PROTOCOL_VERSION } from '@paydesk/protocol';
import pkg from '../package.json' with { type: 'json' };
import { enrollWithServer, IdentityStore } from './identity.ts';
import { startDesk } from './desk.ts';
import { backupDataFolder } from './db/backup.ts';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';

const program = new Command('paydesk-desk')
  .description('Paydesk: касса — журнал, ККТ, синхронизация с сервером, интерфейс кассира')
  .version(`paydesk-desk ${pkg.version} (журнал ${JOURNAL_SCHEMA_VERSION}, протокол ${PROTOCOL_VERSION})`, '-V, --version', 'версия')
  .showHelpAfterError();

program
  .command('serve')
  .description('запустить кассу на 127.0.0.1 (интерфейс и API)')
  .option('--port <port>', 'порт (PAYDESK_DESK_PORT, 8081)')
  .option('--data <dir>', 'папка данных кассы (PAYDESK_DESK_DATA, .data/desk)')
  .action(async (o: { port?: string; data?: string }) => {
    const cfg = loadDeskConfig(process.env, { port: o.port, dataDir: o.data });
    const register =
      cfg.register && cfg.register !== 'virtual'
        ? {
            driver: cfg.register,
            url: cfg.registerUrl as string,
            ...(cfg.registerUser ? { user: cfg.registerUser } : {}),
            ...(cfg.registerPassword ? { password: cfg.registerPassword } : {}),
            ...(cfg.register === 'kkmserver' && cfg.registerNumDevice !== undefined ? { numDevice: cfg.registerNumDevice } : {}),
          }
        : cfg.register === 'virtual'
          ? { driver: 'virtual' as const }
          : undefined;
    const terminal =
      cfg.terminal === 'kkmserver'
        ? {
            driver: 'kkmserver' as const,
            url: cfg.terminalUrl as string,
            ...(cfg.terminalUser ? { user: cfg.terminalUser } : {}),
            ...(cfg.terminalPassword ? { password: cfg.terminalPassword } : {}),
            ...(cfg.terminalNumDevice !== undefined ? { numDevice: cfg.terminalNumDevice } : {}),
          }
        : cfg.terminal
          ? { driver: cfg.terminal }
          : undefined;
    const desk = await startDesk({
      dataDir: cfg.dataDir,
      port: cfg.port,
      host: cfg.host,
      uiDir: cfg.uiDir,
      logLevel: cfg.logLevel,
      testHooks: cfg.testHooks === '1',
      ...(register ? { register } : {}),
      ...(terminal ? { terminal } : {}),
      ...(cfg.probeMs ? { sync: { probeIntervalMs: cfg.probeMs, maxBackoffMs: Math.max(cfg.probeMs, 1000) } } : {}),
    });
    console.log(`Paydesk desk: ${desk.url} (API: ${desk.url}/api/docs)`);
    const stop = (): void => {
      void desk.stop().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

program
  .command('enroll')
  .description('зарегистрировать кассу на сервере по одноразовому коду из бэк-офиса')
  .requiredOption('--server <url>', 'адрес сервера, например http://server:8080')
  .requiredOption('--code <code>', 'одноразовый код регистрации')
  .option('--data <dir>', 'папка данных кассы (PAYDESK_DESK_DATA, .data/desk)')
  .action(async (o: { server: string; code: string; data?: string }) => {
    const cfg = loadDeskConfig(process.env, { dataDir: o.data });
    mkdirSync(cfg.dataDir, { recursive: true });
    const db = openJournal(join(cfg.dataDir, 'journal.sqlite'));
    try {
      const e = await enrollWithServer(o.server, o.code);
      const id = new IdentityStore(db, cfg.dataDir).save(o.server, e);
      console.log(`Касса «${id.name}» зарегистрирована (эпоха ${id.epoch}). Ключ сохранён в ${join(cfg.dataDir, 'desk.key')}`);
    } finally {
      db.close();
    }
  });

program
  .command('backup')
  .description('копия папки данных кассы, в том числе работающей: журнал, ККТ, ключ кассы — в новую папку, доступную только владельцу')
  .requiredOption('--out <dir>', 'новая (или пустая) папка для копии')
  .option('--data <dir>', 'папка данных кассы (PAYDESK_DESK_DATA, .data/desk)')
  .action((o: { out: string; data?: string }) => {
    const cfg = loadDeskConfig(process.env, { dataDir: o.data });
    const m = backupDataFolder(cfg.dataDir, o.out);
    console.log(
      `Копия кассы «${m.deskName ?? 'не зарегистрирована'}» в ${o.out}: операций ${m.operations}, сервер подтвердил до № ${m.lastSeq}, не отправлено ${m.unsent}; файлы: ${m.files.join(', ')}`,
    );
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  console.error(`Ошибка: ${(e as Error).message}`);
  process.exit(1);
});
