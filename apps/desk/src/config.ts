/** The desk's configuration from environment variables (and flags), validated with clear messages. */
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const schema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(8081),
  host: z.string().min(1).default('127.0.0.1'),
  dataDir: z.string().min(1).default('.data/desk'),
  register: z.enum(['virtual', 'atol', 'kkmserver']).optional(),
  registerUrl: z.url('адрес ККТ: http://host:port').optional(),
  registerUser: z.string().optional(),
  registerPassword: z.string().optional(),
  /** KKMServer's device number (NumDevice); 0: whichever device is free. */
  registerNumDevice: z.coerce.number().int().min(0).max(99).optional(),
  /** The card terminal: virtual (demo), standalone (not connected), kkmserver (its acquiring commands). */
  terminal: z.enum(['virtual', 'standalone', 'kkmserver']).optional(),
  terminalUrl: z.url('адрес KKMServer терминала: http://host:port').optional(),
  terminalUser: z.string().optional(),
  terminalPassword: z.string().optional(),
  terminalNumDevice: z.coerce.number().int().min(0).max(99).optional(),
  uiDir: z.string().default(fileURLToPath(new URL('../../desk-ui/dist', import.meta.url))),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  testHooks: z.enum(['0', '1']).default('0'),
  probeMs: z.coerce.number().int().min(100).max(600_000).optional(),
});

export type DeskConfig = z.infer<typeof schema>;

const ENV: Record<string, keyof DeskConfig> = {
  PAYDESK_DESK_PORT: 'port',
  PAYDESK_DESK_HOST: 'host',
  PAYDESK_DESK_DATA: 'dataDir',
  PAYDESK_REGISTER: 'register',
  PAYDESK_REGISTER_URL: 'registerUrl',
  PAYDESK_REGISTER_USER: 'registerUser',
  PAYDESK_REGISTER_PASSWORD: 'registerPassword',
  PAYDESK_REGISTER_NUM_DEVICE: 'registerNumDevice',
  PAYDESK_TERMINAL: 'terminal',
  PAYDESK_TERMINAL_URL: 'terminalUrl',
  PAYDESK_TERMINAL_USER: 'terminalUser',
  PAYDESK_TERMINAL_PASSWORD: 'terminalPassword',
  PAYDESK_TERMINAL_NUM_DEVICE: 'terminalNumDevice',
  PAYDESK_DESK_UI_DIR: 'uiDir',
  PAYDESK_LOG_LEVEL: 'logLevel',
  PAYDESK_TEST_HOOKS: 'testHooks',
  PAYDESK_SYNC_PROBE_MS: 'probeMs',
};

export function loadDeskConfig(env: NodeJS.ProcessEnv, overrides: Partial<Record<keyof DeskConfig, unknown>> = {}): DeskConfig {
  const raw: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(ENV)) if (env[name]) raw[key] = env[name];
  const parsed = schema.safeParse({ ...raw, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) });
  if (!parsed.success) {
    const name = (key: string): string => Object.entries(ENV).find(([, k]) => k === key)?.[0] ?? key;
    throw new Error(
      `Неверные настройки кассы:\n${parsed.error.issues.map((i) => `  ${name(String(i.path[0]))}: ${i.message}`).join('\n')}`,
    );
  }
  if (parsed.data.register && parsed.data.register !== 'virtual' && !parsed.data.registerUrl)
    throw new Error('Неверные настройки кассы:\n  PAYDESK_REGISTER_URL: для ATOL и KKMServer нужен адрес сервера ККТ');
  if (parsed.data.terminal === 'kkmserver' && !parsed.data.terminalUrl)
    throw new Error('Неверные настройки кассы:\n  PAYDESK_TERMINAL_URL: для терминала через KKMServer нужен адрес KKMServer');
  return parsed.data;
}
