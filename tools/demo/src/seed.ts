/**
 * Seeds the demo through the server's own API, as an administrator and a billing would: the point,
 * settings, people, suppliers and services, providers wired to the simulator, the price list, then the
 * accounts, charges and meters as import files (kept in .data/seed/ for a newcomer to look at).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildTown, CITY, innOf, PRICE_ITEMS, PROVIDERS, SERVICES, SUPPLIERS, type Town } from './town.ts';

export class Api {
  token: string | null = null;

  constructor(readonly base: string) {}

  async call<T = unknown>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const r = await fetch(new URL(path, this.base), {
      method,
      headers: {
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...(body !== undefined ? { 'content-type': contentType } : {}),
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path} → ${r.status}: ${text.slice(0, 400)}`);
    return (text ? JSON.parse(text) : null) as T;
  }

  async login(login: string, password: string): Promise<void> {
    this.token = (await this.call<{ token: string }>('POST', '/api/v1/auth/login', { login, password })).token;
  }
}

export const DEMO_PASSWORD = 'paydesk-demo';

/** The payment agent itself: its requisites go into the settings and onto the sample bills. */
export const ORG = {
  name: 'ООО «Расчётный центр Новоградска»',
  inn: innOf('540600001'),
  kpp: '540601001',
  account: '40702810944050000000',
  bankName: 'ПАО Сбербанк',
  bic: '044525225',
  corrAccount: '30101810400000000225',
};

const SETTINGS: Record<string, unknown> = {
  orgName: ORG.name,
  orgInn: ORG.inn,
  agentPhone: '+73832001000',
  operatorPhone: '+73832001001',
  settlementAddress: `г. ${CITY}, ул. Ленина, д. 1`,
  settlementPlace: 'Пункт приёма платежей «Ленина, 1»',
  billingName: 'Биллинг Эксперт',
  // Short intervals so the demo shows confirmations and new data within seconds.
  pullIntervalSeconds: 10,
  syncIntervalSeconds: 5,
};

export async function seed(
  api: Api,
  options: { simUrl: string; dataDir: string; log: (line: string) => void; townSize?: number },
): Promise<Town> {
  const { log } = options;
  const points = await api.call<{ items: { id: string; code: string }[] }>('GET', '/api/v1/points?limit=10');
  const p1 = points.items.find((p) => p.code === 'P1');
  if (p1) await api.call('PATCH', `/api/v1/points/${p1.id}`, { name: 'Пункт на Ленина', address: `г. ${CITY}, ул. Ленина, д. 1` });
  await api.call('POST', '/api/v1/points', { code: 'P2', name: 'Пункт на Мира', address: `г. ${CITY}, ул. Мира, д. 15` });
  for (const [key, value] of Object.entries(SETTINGS)) await api.call('PUT', '/api/v1/settings', { scope: 'global', key, value });

  await api.call('POST', '/api/v1/users', {
    login: 'cashier',
    name: 'Иванова А.А.',
    role: 'cashier',
    password: DEMO_PASSWORD,
    inn: '540612345667',
  });
  await api.call('POST', '/api/v1/users', {
    login: 'senior',
    name: 'Петрова Н.С.',
    role: 'senior_cashier',
    password: DEMO_PASSWORD,
    inn: '540687654398',
  });
  await api.call('POST', '/api/v1/users', { login: 'cashier2', name: 'Сидорова Е.В.', role: 'cashier', password: DEMO_PASSWORD });

  const supplierIds = new Map<string, string>();
  for (const { key, ...s } of SUPPLIERS) supplierIds.set(key, (await api.call<{ id: string }>('POST', '/api/v1/suppliers', s)).id);
  for (const s of SERVICES)
    await api.call('POST', '/api/v1/services', { code: s.code, name: s.name, supplierId: supplierIds.get(s.supplier), unit: s.unit });
  for (const p of PROVIDERS)
    await api.call('POST', '/api/v1/providers', {
      ...p,
      channel: 'osmp',
      osmpUrl: `${options.simUrl}/p/${p.code}/payment_app.cgi`,
      timeoutMs: 10_000,
    });
  for (const item of PRICE_ITEMS) await api.call('POST', '/api/v1/price-items', item);
  log('Справочники: поставщики, услуги, поставщики третьих лиц, прейскурант — созданы');

  const town = buildTown(options.townSize);
  const dir = join(options.dataDir, 'seed');
  mkdirSync(dir, { recursive: true });
  for (const [kind, csv] of [
    ['accounts', town.accountsCsv],
    ['charges', town.chargesCsv],
    ['meters', town.metersCsv],
  ] as const) {
    writeFileSync(join(dir, `${kind}.csv`), csv);
    const report = await api.call<{ status: string; totalRows: number; errorCount: number; errors: unknown[]; seconds: number }>(
      'POST',
      `/api/v1/imports/${kind}?wait=true&fileName=${kind}.csv`,
      csv,
      'text/csv',
    );
    if (report.status !== 'done') throw new Error(`импорт ${kind} не прошёл: ${JSON.stringify(report.errors.slice(0, 5))}`);
    log(`Загружено из биллинга: ${kind} — ${report.totalRows} строк за ${report.seconds.toFixed(1)} с`);
  }
  return town;
}
