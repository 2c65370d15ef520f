/**
 * `npm start`: builds the UIs if their sources changed, starts the provider simulator, the server on
 * PGlite (data under PAYDESK_DATA_DIR, reused next time) and the desks, seeds a town on the first
 * start, prints where to go and who to be, and stops everything on Ctrl-C.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { startProviderSim } from '@paydesk/provider-sim';
import { DEMO_CONFIG } from '@paydesk/provider-sim/demo-config';
import { loadConfig, startServer } from '@paydesk/server';
import { buildIfStale } from './build.ts';
import { writeBills } from './bills.ts';
import { ensureDesks } from './desks.ts';
import { checkPorts, PortTaken } from './ports.ts';
import { Api, DEMO_PASSWORD, ORG, seed } from './seed.ts';

const program = new Command('paydesk-demo')
  .description('Paydesk: сервер, симулятор поставщиков и кассы с данными города — одной командой')
  .option('--reset', 'начать с чистого листа: удалить данные демо и засеять заново')
  .option('--desks <n>', 'сколько касс запустить', '1')
  .parse(process.argv);

const opts = program.opts<{ reset?: boolean; desks: string }>();
const env = process.env;
const log = (line: string): void => console.log(`  ${line}`);

async function main(): Promise<void> {
  const desks = Number(opts.desks);
  if (!Number.isInteger(desks) || desks < 1 || desks > 9) throw new Error('--desks: от 1 до 9');
  const ports = {
    server: Number(env['PAYDESK_SERVER_PORT'] ?? 8080),
    desk: Number(env['PAYDESK_DESK_PORT'] ?? 8081),
    sim: Number(env['PAYDESK_SIM_PORT'] ?? 8090),
  };
  const dataDir = resolve(env['PAYDESK_DATA_DIR'] ?? '.data');
  const deskPorts = Array.from({ length: desks }, (_, i) => ports.desk + i);
  await checkPorts([
    { port: ports.server, what: 'сервера', variable: 'PAYDESK_SERVER_PORT' },
    { port: ports.sim, what: 'симулятора поставщиков', variable: 'PAYDESK_SIM_PORT' },
    ...deskPorts.map((port, i) => ({ port, what: `кассы ${i + 1}`, variable: 'PAYDESK_DESK_PORT' })),
  ]);
  if (opts.reset && existsSync(dataDir)) {
    rmSync(dataDir, { recursive: true, force: true });
    console.log(`Данные демо удалены: ${dataDir}`);
  }

  console.log('Paydesk: запуск демо');
  buildIfStale(log);

  const sim = await startProviderSim({ ...DEMO_CONFIG, seed: 42 }, ports.sim);
  log(`Симулятор поставщиков (ОСМП): ${sim.url}`);
  const server = await startServer(
    loadConfig(env, { port: ports.server, dataDir, adminPassword: env['PAYDESK_ADMIN_PASSWORD'] ?? DEMO_PASSWORD, logLevel: 'warn' }),
    log,
  );
  log(`Сервер: ${server.url} (база PGlite в ${join(dataDir, 'server-db')})`);

  const api = new Api(server.url);
  await api.login('admin', env['PAYDESK_ADMIN_PASSWORD'] ?? DEMO_PASSWORD);
  const marker = join(dataDir, 'seeded.json');
  const firstStart = !existsSync(marker);
  if (firstStart) {
    console.log('Первый запуск: заполняем город');
    const town = await seed(api, { simUrl: sim.url, dataDir, log });
    const bills = await writeBills(town, dataDir, ORG);
    log(`Квитанции с QR-кодами: ${bills.dir}`);
    writeFileSync(marker, JSON.stringify({ at: new Date().toISOString(), accounts: town.accounts }, null, 2));
  }

  const running = await ensureDesks(api, server.url, dataDir, deskPorts, log);
  if (firstStart && running[0]) await openFirstShift(running[0].url, log);
  const stop = async (): Promise<void> => {
    console.log('\nОстанавливаем…');
    for (const d of running) await d.stop();
    await server.stop();
    await sim.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());

  console.log(`
Paydesk работает.
  Касса (интерфейс кассира): ${running.map((d) => d.url).join(', ')}
  Бэк-офис:                  ${server.url}/admin/
  API сервера:               ${server.url}/api/docs
  API кассы:                 ${running[0]?.url ?? ''}/api/docs
  Вход: cashier / ${DEMO_PASSWORD} (кассир), senior / ${DEMO_PASSWORD} (старший кассир), admin / ${DEMO_PASSWORD} (администратор)
  Квитанции для «сканирования»: ${join(dataDir, 'bills')} — вставьте строку из qr-texts.txt в поиск кассы.
  Остановить: Ctrl-C. Начать заново: npm start -- --reset
`);
}

/** On the first start the cashier of desk 1 opens the shift, so a payment can be taken at once. */
async function openFirstShift(deskUrl: string, log: (line: string) => void): Promise<void> {
  const desk = new Api(deskUrl);
  desk.token = (await desk.call<{ token: string }>('POST', '/api/session', { login: 'cashier', password: DEMO_PASSWORD })).token;
  const shift = await desk.call<{ shiftNumber: number }>('POST', '/api/shift/open', { openingFloatKop: 500_000 });
  await desk.call('DELETE', '/api/session');
  log(`Касса 1: смена № ${shift.shiftNumber} открыта, размен 5 000,00 ₽`);
}

main().catch((e: unknown) => {
  if (e instanceof PortTaken) console.error(`Paydesk: ${e.message}`);
  else console.error(`Paydesk: демо не запустилось: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
