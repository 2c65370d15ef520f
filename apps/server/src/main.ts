/**
 * paydesk-server: serve, migrate, import, export, desk and user management, audit verification.
 * Data commands open the database themselves: with PostgreSQL (DATABASE_URL) any time; with the
 * embedded PGlite only while the server is stopped (one process per data folder) — or they go
 * through a running server's API with --server URL and --token (or PAYDESK_TOKEN).
 */
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Command, Option } from 'commander';
import { PROTOCOL_VERSION } from '@paydesk/protocol';
import pkg from '../package.json' with { type: 'json' };
import { loadConfig, ConfigError, type ServerConfig } from './config.ts';
import { DataFolderBusy } from '@paydesk/http-kit';
import { migrate, SCHEMA_VERSION, type OpenDatabase } from './db/database.ts';
import { openConfiguredDatabase, startServer } from './server.ts';
import { bootstrap } from './bootstrap.ts';
import { importFile, type ImportEncoding } from './features/imports/import-file.ts';
import type { ImportKind } from './features/imports/layouts.ts';
import { createDesk, revokeDesk } from './features/desks/desks.ts';
import { addUser } from './features/auth/users.ts';
import { auditHead, verifyAudit } from './features/audit/audit-log.ts';
import { loadAuditKey } from './security/audit-key.ts';
import { reconcileProvider } from './features/providers/reconcile.ts';
import { startWorkers } from './workers.ts';
import { buildWorkerApp } from './worker-http.ts';
import { buildRegistry } from './features/exports/registry.ts';
import { registryAnswer, type RegistryFormat } from './features/exports/registry-formats.ts';
import type { UserRole } from './db/schema.ts';
import { API_SCOPES, type ApiScope } from '@paydesk/protocol';
import { createApiKey, listApiKeys, revokeApiKey, type ApiKeyView, type CreatedApiKey } from './features/apikeys/api-keys.ts';

const program = new Command('paydesk-server')
  .description('Paydesk: центральный сервер — учёт платежей, синхронизация касс, бэк-офис')
  .version(`paydesk-server ${pkg.version} (схема ${SCHEMA_VERSION}, протокол касс ${PROTOCOL_VERSION})`, '-V, --version', 'версия')
  .showHelpAfterError();

function config(overrides: Partial<ServerConfig> = {}): ServerConfig {
  return loadConfig(process.env, overrides);
}

async function withDb<T>(fn: (open: OpenDatabase) => Promise<T>): Promise<T> {
  const cfg = config();
  const { open, release } = await openConfiguredDatabase(cfg);
  try {
    await migrate(open.db);
    await bootstrap(open.db, cfg.adminPassword, (line) => console.error(line), loadAuditKey(cfg));
    return await fn(open);
  } finally {
    await open.close();
    release();
  }
}

interface Remote {
  server?: string;
  token?: string;
}

type Body = string | NodeJS.ReadableStream;

async function remote(opts: Remote, method: string, path: string, body?: Body, contentType = 'application/json'): Promise<unknown> {
  const token = opts.token ?? process.env['PAYDESK_TOKEN'];
  if (!token) throw new Error('Для --server нужен токен: --token или PAYDESK_TOKEN (получите его входом POST /api/v1/auth/login)');
  // A content type without a body is a malformed request to the server (an empty JSON body): only with one.
  const r = await fetch(new URL(path, opts.server), {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': contentType } : {}) },
    ...(body !== undefined ? { body, duplex: 'half' } : {}),
  } as unknown as RequestInit);
  const text = await r.text();
  const json: unknown = text ? JSON.parse(text) : null;
  if (!r.ok) throw new Error(`${r.status}: ${(json as { detail?: string } | null)?.detail ?? text}`);
  return json;
}

/** A file the server answers: its bytes and the name its Content-Disposition gives (null for JSON). */
async function remoteFile(opts: Remote, path: string): Promise<{ name: string | null; bytes: Uint8Array | string }> {
  const token = opts.token ?? process.env['PAYDESK_TOKEN'];
  if (!token) throw new Error('Для --server нужен токен: --token или PAYDESK_TOKEN (получите его входом POST /api/v1/auth/login)');
  const r = await fetch(new URL(path, opts.server), { headers: { authorization: `Bearer ${token}` } });
  const bytes = new Uint8Array(await r.arrayBuffer());
  if (!r.ok)
    throw new Error(
      `${r.status}: ${(JSON.parse(Buffer.from(bytes).toString('utf8') || 'null') as { detail?: string } | null)?.detail ?? r.statusText}`,
    );
  const name = /filename="([^"]+)"/.exec(r.headers.get('content-disposition') ?? '')?.[1] ?? null;
  return { name, bytes: name === null ? Buffer.from(bytes).toString('utf8') : bytes };
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (c: string) => (data += c));
    process.stdin.on('end', () => resolve(data.replace(/\r?\n$/, '')));
    process.stdin.on('error', reject);
  });
}

const serverOption = new Option('--server <url>', 'работать через API запущенного сервера (нужен --token или PAYDESK_TOKEN)');
const tokenOption = new Option('--token <token>', 'токен сеанса администратора для --server');

program
  .command('serve')
  .description('запустить сервер (PGlite в папке данных или PostgreSQL по DATABASE_URL)')
  .option('--port <port>', 'порт (PAYDESK_SERVER_PORT, по умолчанию 8080)')
  .option('--host <host>', 'адрес (PAYDESK_HOST, по умолчанию 127.0.0.1)')
  .option('--data <dir>', 'папка данных для PGlite (PAYDESK_DATA_DIR, по умолчанию .data)')
  .action(async (o: { port?: string; host?: string; data?: string }) => {
    const cfg = config({
      ...(o.port ? { port: Number(o.port) } : {}),
      ...(o.host ? { host: o.host } : {}),
      ...(o.data ? { dataDir: o.data } : {}),
    });
    const s = await startServer(cfg);
    console.log(`Paydesk server: ${s.url} (API: ${s.url}/api/docs)`);
    const stop = (): void => {
      void s.stop().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

program
  .command('worker')
  .description(
    'только фоновые работы (передача платежей поставщикам) для отдельных процессов рядом с серверами; /health и /metrics на PAYDESK_WORKER_PORT (8089)',
  )
  .action(async () => {
    const cfg = config();
    if (!cfg.databaseUrl)
      throw new Error('Отдельный процесс работ нужен только с PostgreSQL (DATABASE_URL): со встроенной базой работы идут внутри сервера');
    const { open } = await openConfiguredDatabase(cfg);
    await migrate(open.db);
    const { app, metrics } = await buildWorkerApp(open.db, cfg);
    await app.listen({ port: cfg.workerPort, host: cfg.host });
    const workers = startWorkers(open.db, app.log, metrics);
    console.log(`Paydesk workers: ${workers.map((w) => w.name).join(', ')} (/health, /metrics: ${cfg.host}:${cfg.workerPort})`);
    const stop = (): void => {
      void Promise.all(workers.map((w) => w.stop()))
        .then(() => app.close())
        .then(() => open.close())
        .then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

program
  .command('reconcile')
  .description('сверка с реестром поставщика: txn_id;prv_txn;account;sum;txn_date')
  .requiredOption('--provider <code>', 'код поставщика')
  .argument('<file>', 'файл реестра')
  .action((file: string, o: { provider: string }) =>
    withDb(async (open) => {
      const report = await reconcileProvider(open.db, o.provider, readFileSync(file, 'utf8'));
      console.log(JSON.stringify(report));
    }),
  );

program
  .command('restored')
  .description(
    'объявить, что база восстановлена из копии: кассы и биллинг досинхронизируются (сервер замечает это и сам при восстановлении PostgreSQL)',
  )
  .option('--reason <text>', 'что восстановлено', 'восстановление из резервной копии')
  .action((o: { reason: string }) =>
    withDb(async (open) => {
      const { newIncarnation } = await import('./db/incarnation.ts');
      console.log(`Новое воплощение сервера: ${await newIncarnation(open.db, o.reason)}`);
    }),
  );

program
  .command('migrate')
  .description('обновить схему базы данных (сервер делает это и сам при запуске)')
  .action(() =>
    withDb(async (open) => {
      const applied = await migrate(open.db);
      console.log(applied.length ? `Применены миграции: ${applied.join(', ')}` : 'Схема уже актуальна');
    }),
  );

program
  .command('import')
  .description('импорт из биллинга: accounts | charges | meters (файл с заголовком, ; или ,, UTF-8 или windows-1251)')
  .argument('<kind>', 'accounts | charges | meters')
  .argument('<file>', 'путь к файлу')
  .addOption(new Option('--encoding <enc>', 'кодировка').choices(['auto', 'utf-8', 'windows-1251']).default('auto'))
  .option('--as-of <position>', 'начисления учитывают платежи ленты до этой позиции')
  .addOption(
    new Option('--mode <mode>', 'update — меняет названное; snapshot — для названных счетов закрывает то, чего нет в файле')
      .choices(['update', 'snapshot'])
      .default('update'),
  )
  .addOption(serverOption)
  .addOption(tokenOption)
  .action(async (kind: string, file: string, o: { encoding: ImportEncoding; asOf?: string; mode: 'update' | 'snapshot' } & Remote) => {
    if (!['accounts', 'charges', 'meters'].includes(kind))
      throw new Error(`Неизвестный вид импорта «${kind}»: accounts, charges или meters`);
    const print = (report: {
      status: string;
      totalRows: number;
      changedRows: number;
      errorCount: number;
      errors: { line: number; column?: string; message: string }[];
    }): void => {
      for (const e of report.errors) console.error(`  строка ${e.line}${e.column ? ` [${e.column}]` : ''}: ${e.message}`);
      console.log(
        report.status === 'done'
          ? `Готово: строк ${report.totalRows}, изменено ${report.changedRows}`
          : `Файл не загружен: ошибок ${report.errorCount}; ничего не изменено`,
      );
      if (report.status !== 'done') process.exitCode = 1;
    };
    if (o.server) {
      const q = new URLSearchParams({
        wait: 'true',
        encoding: o.encoding,
        mode: o.mode,
        fileName: basename(file),
        ...(o.asOf ? { asOf: o.asOf } : {}),
      });
      const report = (await remote(o, 'POST', `/api/v1/imports/${kind}?${q.toString()}`, createReadStream(file), 'text/csv')) as Parameters<
        typeof print
      >[0];
      print(report);
      return;
    }
    await withDb(async (open) => {
      let last = 0;
      const report = await importFile(open.db, createReadStream(file), {
        kind: kind as ImportKind,
        fileName: basename(file),
        encoding: o.encoding,
        mode: o.mode,
        createdBy: 'cli',
        ...(o.asOf ? { asOfFeedPosition: Number(o.asOf) } : {}),
        onProgress: (p) => {
          if (Date.now() - last < 1000) return;
          last = Date.now();
          process.stderr.write(
            `\r${p.phase === 'reading' ? 'Чтение' : p.phase === 'checking' ? 'Проверка' : 'Загрузка'}: ${p.rows}${p.total ? ` из ${p.total}` : ''} строк   `,
          );
        },
      });
      process.stderr.write('\r');
      print(report);
      console.log(`Время: ${(report.seconds ?? 0).toFixed(1)} с`);
    });
  });

const exportCmd = program.command('export').description('выгрузки');
exportCmd
  .command('registry')
  .description('реестр платежей поставщику за день (Сбербанк: windows-1251, ;, итоговая строка)')
  .requiredOption('--date <date>', 'день, ГГГГ-ММ-ДД')
  .requiredOption('--supplier <inn>', 'ИНН поставщика (или его id)')
  .addOption(new Option('--format <format>', 'формат').choices(['sber', 'csv', 'xlsx', 'json']).default('sber'))
  .option('--out <file>', 'куда записать (по умолчанию — имя по формату реестра; json — в стандартный вывод)')
  .addOption(serverOption)
  .addOption(tokenOption)
  .action(async (o: { date: string; supplier: string; format: RegistryFormat; out?: string } & Remote) => {
    const query = new URLSearchParams({ date: o.date, supplier: o.supplier, format: o.format });
    const file = o.server
      ? await remoteFile(o, `/api/v1/registries?${query.toString()}`)
      : await withDb(async (open) => {
          const registry = await buildRegistry(open.db, o.date, o.supplier);
          const answer = await registryAnswer(registry, o.format, `registry_${registry.supplier.inn}_${o.date}`);
          return {
            name: answer.fileName,
            bytes: answer.fileName === null ? JSON.stringify(answer.body, null, 2) : (answer.body as Buffer | string),
          };
        });
    if (file.name === null && !o.out) {
      console.log(typeof file.bytes === 'string' ? file.bytes : Buffer.from(file.bytes).toString('utf8'));
      return;
    }
    const target = o.out ?? file.name ?? `registry_${o.supplier}_${o.date}.json`;
    writeFileSync(target, file.bytes);
    console.log(`${target}: записан`);
  });

const day = program.command('day').description('операционные дни пунктов');
day
  .command('close')
  .description('закрыть день пункта: пачка платежей и сторно дня с итогами (повторно — корректирующая пачка)')
  .requiredOption('--point <code>', 'код пункта (P1) или его id')
  .requiredOption('--date <YYYY-MM-DD>', 'день')
  .option('--force', 'закрыть, хотя смены касс пункта ещё открыты')
  .addOption(serverOption)
  .addOption(tokenOption)
  .action(async (o: { point: string; date: string; force?: boolean } & Remote) => {
    if (o.server) {
      console.log(
        JSON.stringify(
          await remote(
            o,
            'POST',
            `/api/v1/points/${encodeURIComponent(o.point)}/days/${o.date}/close`,
            JSON.stringify(o.force ? { force: true } : {}),
          ),
        ),
      );
      return;
    }
    await withDb(async (open) => {
      const { closeDay, pointIdOf } = await import('./features/exports/batches.ts');
      console.log(JSON.stringify(await closeDay(open.db, await pointIdOf(open.db, o.point), o.date, 'cli', { force: o.force === true })));
    });
  });

const desk = program.command('desk').description('кассы');
desk
  .command('create')
  .description('создать кассу; печатает JSON { deskId, enrollmentCode }')
  .requiredOption('--name <name>', 'название кассы')
  .option('--point <code>', 'код пункта приёма (по умолчанию — первый)')
  .addOption(serverOption)
  .addOption(tokenOption)
  .action(async (o: { name: string; point?: string } & Remote) => {
    if (o.server) {
      console.log(
        JSON.stringify(
          await remote(o, 'POST', '/api/v1/desks', JSON.stringify({ name: o.name, ...(o.point ? { pointCode: o.point } : {}) })),
        ),
      );
      return;
    }
    await withDb(async (open) => {
      const created = await createDesk(
        open.db,
        { name: o.name, ...(o.point ? { pointCode: o.point } : {}) },
        { type: 'system', id: 'cli' },
        config().enrollmentHours,
      );
      console.log(JSON.stringify({ deskId: created.deskId, enrollmentCode: created.enrollmentCode }));
    });
  });
desk
  .command('revoke')
  .description('отозвать ключ кассы: она сразу получает 401')
  .argument('<id>', 'идентификатор кассы')
  .addOption(serverOption)
  .addOption(tokenOption)
  .action(async (id: string, o: Remote) => {
    if (o.server) await remote(o, 'POST', `/api/v1/desks/${id}/revoke`);
    else await withDb((open) => revokeDesk(open.db, id, { type: 'system', id: 'cli' }));
    console.log(`Ключ кассы ${id} отозван`);
  });

const user = program.command('user').description('пользователи');
user
  .command('add')
  .description('добавить пользователя; пароль читается со стандартного ввода')
  .requiredOption('--login <login>', 'логин')
  .addOption(new Option('--role <role>', 'роль').choices(['cashier', 'senior_cashier', 'admin', 'integrator']).makeOptionMandatory())
  .option('--name <name>', 'ФИО (по умолчанию — логин)')
  .addOption(serverOption)
  .addOption(tokenOption)
  .action(async (o: { login: string; role: UserRole; name?: string } & Remote) => {
    const password = await readStdin();
    if (o.server) {
      await remote(o, 'POST', '/api/v1/users', JSON.stringify({ login: o.login, name: o.name ?? o.login, role: o.role, password }));
    } else {
      await withDb((open) =>
        addUser(open.db, { login: o.login, name: o.name ?? o.login, role: o.role, password }, { type: 'system', id: 'cli' }).then(
          () => undefined,
        ),
      );
    }
    console.log(`Пользователь ${o.login} (${o.role}) добавлен`);
  });

const apikey = program
  .command('apikey')
  .description(`API-ключи программ-интеграторов (биллинг, поставщики, провайдеры); области: ${API_SCOPES.join(', ')}`);

function scopesOf(values: string[]): ApiScope[] {
  const scopes = values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  const unknown = scopes.filter((v) => !(API_SCOPES as readonly string[]).includes(v));
  if (unknown.length > 0) throw new Error(`Нет таких областей: ${unknown.join(', ')}. Области: ${API_SCOPES.join(', ')}`);
  if (scopes.length === 0) throw new Error(`Укажите хотя бы одну область --scope: ${API_SCOPES.join(', ')}`);
  return [...new Set(scopes)] as ApiScope[];
}

const KEY_STATES: Record<ApiKeyView['state'], string> = { active: 'действует', revoked: 'отозван', expired: 'истёк' };

apikey
  .command('create')
  .description('создать ключ; печатает JSON { id, name, scopes, prefix, expiresAt, key } — ключ показывается один раз')
  .requiredOption('--name <name>', 'кому и для чего ключ')
  .option(
    '--scope <scope>',
    `область (можно несколько раз или через запятую): ${API_SCOPES.join(', ')}`,
    (v: string, all: string[]) => [...all, v],
    [] as string[],
  )
  .option(
    '--expires <when>',
    'срок действия: дата ГГГГ-ММ-ДД (начало дня в часовом поясе организации) или время ISO 8601; без него — бессрочно',
  )
  .addOption(serverOption)
  .addOption(tokenOption)
  .action(async (o: { name: string; scope: string[]; expires?: string } & Remote) => {
    const body = { name: o.name, scopes: scopesOf(o.scope), ...(o.expires ? { expiresAt: o.expires } : {}) };
    const created = o.server
      ? ((await remote(o, 'POST', '/api/v1/api-keys', JSON.stringify(body))) as CreatedApiKey)
      : await withDb((open) => createApiKey(open.db, body, { type: 'system', id: 'cli' }));
    console.log(JSON.stringify(created));
    console.error(
      'Ключ показан один раз: сохраните его сейчас. На сервере хранится только его хеш; потерянный ключ отзовите и создайте новый.',
    );
  });
apikey
  .command('list')
  .description('ключи: id, начало ключа, название, области, состояние, срок, последнее использование (без самих ключей)')
  .addOption(serverOption)
  .addOption(tokenOption)
  .action(async (o: Remote) => {
    const items = o.server
      ? ((await remote(o, 'GET', '/api/v1/api-keys')) as { items: ApiKeyView[] }).items
      : await withDb((open) => listApiKeys(open.db));
    if (items.length === 0) console.log('Ключей нет');
    for (const k of items) {
      console.log(
        [
          k.id,
          `${k.prefix}…`,
          k.name,
          k.scopes.join(','),
          KEY_STATES[k.state],
          k.expiresAt ? `до ${k.expiresAt}` : 'бессрочно',
          `использован ${k.lastUsedAt ?? 'никогда'}`,
        ].join('\t'),
      );
    }
  });
apikey
  .command('revoke')
  .description('отозвать ключ: следующий его запрос получает 401')
  .argument('<id>', 'идентификатор ключа (из apikey list)')
  .addOption(serverOption)
  .addOption(tokenOption)
  .action(async (id: string, o: Remote) => {
    if (o.server) await remote(o, 'POST', `/api/v1/api-keys/${id}/revoke`);
    else await withDb((open) => revokeApiKey(open.db, id, { type: 'system', id: 'cli' }));
    console.log(`API-ключ ${id} отозван`);
  });

program
  .command('audit')
  .description('журнал аудита')
  .command('verify')
  .description('проверить цепочку журнала аудита (подписи ключом аудита; с --head — что конец журнала не удалён)')
  .option('--head <id:hash>', 'голова цепочки, записанная раньше (строка «Журнал аудита: голова цепочки» в логе сервера)')
  .action((o: { head?: string }) =>
    withDb(async (open) => {
      const m = o.head ? /^(\d+)[:, ]+([0-9a-f]{64})$/.exec(o.head.trim()) : null;
      if (o.head && !m) throw new Error('--head: номер записи и хеш, например 1842:3f…');
      const r = await verifyAudit(open.db, m ? { id: Number(m[1]), hash: m[2] as string } : null);
      const head = await auditHead(open.db);
      if (r.ok)
        console.log(`Журнал аудита цел: записей ${r.entries}; голова цепочки — ${head ? `${head.id}:${head.hash}` : 'нет записей'}`);
      else {
        console.error(`Журнал аудита нарушен на записи ${r.brokenAt}: ${r.reason}`);
        process.exitCode = 1;
      }
    }),
  );

program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof ConfigError || e instanceof DataFolderBusy) console.error(e.message);
  else console.error(`Ошибка: ${(e as Error).message}`);
  process.exit(1);
});
