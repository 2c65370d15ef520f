/**
 * Server configuration from environment variables and an optional JSON file (PAYDESK_CONFIG),
 * validated at start: each bad value is named with what it should be.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const flag = z.union([
  z.boolean(),
  z.enum(['true', 'false', '1', '0'], { message: 'ожидается true или false' }).transform((v) => v === 'true' || v === '1'),
]);

const schema = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  /** The `worker` process's own /health and /metrics (on `host`). */
  workerPort: z.coerce.number().int().min(0).max(65535).default(8089),
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'ожидается адрес вида postgres://user:pass@host:5432/db')
    .optional(),
  dataDir: z.string().min(1).default('.data'),
  adminPassword: z.string().min(8, 'не короче 8 символов').optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Run the background workers (provider forwarding, stamping) in this process. */
  workers: z.enum(['inline', 'none']).default('inline'),
  /**
   * Behind a reverse proxy: the proxy's addresses (`127.0.0.1`, `10.0.0.5,10.0.0.6`, a CIDR) so only what
   * they add to X-Forwarded-For is believed — the client's own address for the sign-in limit and logs; `true`
   * believes every hop (a client can then claim any address).
   */
  trustProxy: z
    .union([
      flag,
      z
        .string()
        .regex(/^[0-9a-fA-F.:/,\s]+$/, 'адреса прокси через запятую, или true/false')
        .transform((v) => v.replace(/\s+/g, '')),
    ])
    .default(false),
  /** Where the admin UI's built files are (`npm run build` puts them in apps/admin-ui/dist). */
  adminUiDir: z.string().default(fileURLToPath(new URL('../../admin-ui/dist', import.meta.url))),
  /** A desk silent longer than this shows offline in the back office. */
  onlineWindowSeconds: z.coerce.number().int().min(1).max(3600).default(90),
  sessionHours: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(12),
  enrollmentHours: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(24),
  poolSize: z.coerce.number().int().min(2).max(200).default(10),
  /** The largest import file taken, in bytes (4 GiB by default). */
  importLimitBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .default(4 * 1024 * 1024 * 1024),
  /** The audit chain's key (32 characters or more); without it the data folder's audit.key. */
  auditKey: z.string().min(32, 'не короче 32 символов').optional(),
  /** The bearer token /metrics asks for; without one, /metrics answers only on the loopback address. */
  metricsToken: z.string().min(16, 'не короче 16 символов').optional(),
  bodyLimitBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .default(8 * 1024 * 1024),
});

export type ServerConfig = z.infer<typeof schema>;

const ENV: Record<string, keyof ServerConfig> = {
  PAYDESK_HOST: 'host',
  PAYDESK_SERVER_PORT: 'port',
  PAYDESK_WORKER_PORT: 'workerPort',
  DATABASE_URL: 'databaseUrl',
  PAYDESK_DATA_DIR: 'dataDir',
  PAYDESK_ADMIN_PASSWORD: 'adminPassword',
  PAYDESK_LOG_LEVEL: 'logLevel',
  PAYDESK_WORKERS: 'workers',
  PAYDESK_TRUST_PROXY: 'trustProxy',
  PAYDESK_ADMIN_UI_DIR: 'adminUiDir',
  PAYDESK_ONLINE_WINDOW_SECONDS: 'onlineWindowSeconds',
  PAYDESK_SESSION_HOURS: 'sessionHours',
  PAYDESK_ENROLLMENT_HOURS: 'enrollmentHours',
  PAYDESK_DB_POOL_SIZE: 'poolSize',
  PAYDESK_BODY_LIMIT: 'bodyLimitBytes',
  PAYDESK_METRICS_TOKEN: 'metricsToken',
  PAYDESK_AUDIT_KEY: 'auditKey',
  PAYDESK_IMPORT_LIMIT: 'importLimitBytes',
};

export class ConfigError extends Error {}

/** Reads the configuration; throws a ConfigError listing every bad value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<ServerConfig> = {}): ServerConfig {
  let fromFile: Record<string, unknown> = {};
  const file = env['PAYDESK_CONFIG'];
  if (file) {
    try {
      fromFile = JSON.parse(readFileSync(resolve(file), 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new ConfigError(`PAYDESK_CONFIG=${file}: не удалось прочитать JSON (${(e as Error).message})`);
    }
  }
  const fromEnv: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(ENV)) {
    const v = env[name];
    if (v !== undefined && v !== '') fromEnv[key] = v;
  }
  const parsed = schema.safeParse({ ...fromFile, ...fromEnv, ...overrides });
  if (!parsed.success) {
    const envName = (key: string): string => Object.entries(ENV).find(([, k]) => k === key)?.[0] ?? key;
    const lines = parsed.error.issues.map((i) => `  ${envName(String(i.path[0]))}: ${i.message}`);
    throw new ConfigError(`Неверные настройки сервера:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
