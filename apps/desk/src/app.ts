/**
 * The desk's HTTP API on 127.0.0.1 (and the cashier UI's files): thin routes that validate with the
 * protocol's schemas, call a use case, and map the result. Cashier sessions by bearer token.
 */
import { existsSync } from 'node:fs';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { installErrorHandling } from '@paydesk/http-kit';
import {
  AppError,
  accountSearchQuery,
  cashCountRequest,
  cashMoveRequest,
  deskSettingsRequest,
  enrollDeskRequest,
  paymentRequest,
  readingRequest,
  reversalRequest,
  scanRequest,
  sessionRequest,
  settleRequest,
  shiftCloseRequest,
  shiftOpenRequest,
} from '@paydesk/protocol';
import type { DeskDeps } from './deps.ts';
import { acceptPayment, paymentView } from './features/payments/accept.ts';
import { normalizeProviderAccount, prepareBilling, prepareService, prepareThirdParty, providerOf, quoteThirdParty, type Cashier } from './features/payments/prepare.ts';
import { submitReading } from './features/readings/submit.ts';
import { reversePayment } from './features/reversals/reverse.ts';
import { cashMove, closeShift, openShift } from './features/shift/shift.ts';
import { printUnprinted, registerAction, xReport } from './features/register/register-actions.ts';
import { settleByHand } from './features/register/settle-by-hand.ts';
import { closeSession, openSession, sessionCashier } from './features/session/session.ts';
import { resolveScan } from './features/scan/scan.ts';
import { deskStatus } from './features/status.ts';
import { reportRoutes } from './features/reports/routes.ts';
import { journalRoutes } from './features/journal/routes.ts';
import { settingsRoutes } from './features/settings/routes.ts';
import { countCash } from './features/reports/cash-count.ts';

declare module 'fastify' {
  interface FastifyRequest {
    cashier: Cashier | null;
  }
}

export interface DeskAppOptions {
  uiDir?: string | undefined;
  logLevel?: string;
  /** Test-only controls (faults, crash points); off unless PAYDESK_TEST_HOOKS=1. */
  testRoutes?: (app: FastifyInstance) => void;
}

function token(req: FastifyRequest): string | null {
  const h = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (h?.[1]) return h[1];
  const q = (req.query as { token?: unknown } | undefined)?.token;
  return typeof q === 'string' ? q : null;
}

export function requireCashier(req: FastifyRequest, roles?: readonly Cashier['role'][]): Cashier {
  if (!req.cashier) throw new AppError('auth.required', 'Войдите в кассу: сеанс не начат или истёк');
  if (roles && !roles.includes(req.cashier.role)) throw new AppError('auth.forbidden', 'Это действие доступно только администратору');
  return req.cashier;
}

/** What works without a session: the state for the status bar, sign-in and sign-out, enrolling a new desk. */
const PUBLIC_ROUTES = new Set(['GET /api/status', 'GET /api/events', 'POST /api/session', 'DELETE /api/session', 'POST /api/enroll']);

const ROUTES = new WeakMap<FastifyInstance, { method: string; url: string }[]>();

/** Every route a desk app registered, for the tests that try each one. */
export function routesOf(app: FastifyInstance): { method: string; url: string }[] {
  return ROUTES.get(app) ?? [];
}

export async function buildDeskApp(deps: DeskDeps, options: DeskAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: options.logLevel ?? 'info', redact: { paths: ['req.headers.authorization', '*.password', '*.deskKey', '*.token'], censor: '***' } },
    bodyLimit: 1024 * 1024,
  });
  const routes: { method: string; url: string }[] = [];
  ROUTES.set(app, routes);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) if (method !== 'HEAD') routes.push({ method, url: r.url });
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const hasUi = options.uiDir !== undefined && existsSync(options.uiDir);
  installErrorHandling(app, hasUi ? { notFoundPage: (_req, reply) => reply.sendFile('index.html') } : {});
  (app.decorateRequest as (name: string, value: null) => void)('cashier', null);
  app.addHook('onRequest', async (req) => {
    const t = token(req);
    req.cashier = t ? sessionCashier(deps.db, t, deps.clock()) : null;
    // A stranger learns nothing, not even what a valid request looks like: no session, no validation.
    const url = req.routeOptions.url;
    if (!req.cashier && url?.startsWith('/api/') && !url.startsWith('/api/docs') && !url.startsWith('/api/test/') && !PUBLIC_ROUTES.has(`${req.method} ${url}`)) {
      throw new AppError('auth.required', 'Войдите в кассу: сеанс не начат или истёк');
    }
  });
  await app.register(swagger, {
    openapi: { info: { title: 'Paydesk desk API', version: '0.1.0', description: 'API кассы для интерфейса кассира и сценариев. Ошибки — application/problem+json.' } },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tag = (t: string) => ({ tags: [t] });

  r.get('/api/status', { schema: { ...tag('Состояние'), summary: 'Связь, неотправленные операции, смена, ККТ' } }, async () => deskStatus(deps));

  r.get('/api/events', { schema: { ...tag('Состояние'), summary: 'События (SSE): связь, очередь, отказы сервера, ККТ', querystring: z.object({ token: z.string().optional() }) } }, async (req, reply) => {
    requireCashier(req);
    deps.events.attach(reply);
    deps.events.publish({ type: 'status', data: deskStatus(deps) });
    return reply;
  });

  r.post('/api/session', { schema: { ...tag('Вход'), summary: 'Вход кассира (работает без связи)', body: sessionRequest } }, async (req) => openSession(deps.db, req.body.login, req.body.password, deps.clock()));
  r.delete('/api/session', { schema: { ...tag('Вход'), summary: 'Выход' } }, async (req) => {
    const t = token(req);
    if (t) closeSession(deps.db, t);
    return { ok: true };
  });
  r.get('/api/session', { schema: { ...tag('Вход'), summary: 'Текущий кассир' } }, async (req) => ({ cashier: requireCashier(req) }));

  r.get('/api/accounts', { schema: { ...tag('Лицевые счета'), summary: 'Поиск: номер, ЕЛС, адрес («ленина 10 5»), ФИО', querystring: accountSearchQuery } }, async (req) => {
    requireCashier(req);
    return { items: deps.accounts.search(req.query.q, req.query.limit) };
  });
  r.get('/api/accounts/:number', { schema: { ...tag('Лицевые счета'), summary: 'Счёт: долги по услугам и периодам, пени, счётчики, последние платежи', params: z.object({ number: z.string().min(1).max(30) }) } }, async (req) => {
    requireCashier(req);
    const a = deps.accounts.details(req.params.number);
    if (!a) throw new AppError('payment.account_not_found', `Лицевой счёт ${req.params.number} не найден`);
    return a;
  });

  r.post('/api/payments', { schema: { ...tag('Платежи'), summary: 'Принять платёж: биллинг, третьи лица или услуга из прейскуранта', body: paymentRequest } }, async (req, reply) => {
    const cashier = requireCashier(req);
    const view = await acceptPayment(deps, cashier, req.body);
    return reply.code(201).send(view);
  });
  r.post('/api/payments/quote', { schema: { ...tag('Платежи'), summary: 'Что получится: строки, комиссия, итог, сдача — без приёма', body: paymentRequest } }, async (req) => {
    const cashier = requireCashier(req);
    const ctx = { db: deps.db, settings: deps.settings, accounts: deps.accounts, cashier };
    const id = '00000000-0000-7000-8000-000000000000';
    const body = req.body;
    if (body.kind === 'billing') {
      // The commission supplier by supplier, and what to tell the payer, before any money is taken.
      const { prepared, commission } = prepareBilling(ctx, id, body);
      return { totalKop: prepared.totalKop, commissionKop: prepared.commissionKop, changeKop: prepared.changeKop, amountKop: commission.amountKop, lines: prepared.lines ?? null, items: null, suppliers: commission.suppliers, warnings: commission.warnings };
    }
    const { prepared } = body.kind === 'thirdparty' ? prepareThirdParty(ctx, id, body, {}) : prepareService(ctx, id, body);
    const amountKop = body.kind === 'thirdparty' ? body.amountKop : prepared.totalKop;
    return { totalKop: prepared.totalKop, commissionKop: prepared.commissionKop, changeKop: prepared.changeKop, amountKop, lines: null, items: prepared.items ?? null, suppliers: [], warnings: prepared.warnings };
  });
  r.get('/api/payments/:id', { schema: { ...tag('Платежи'), summary: 'Платёж: состояние, чек, отправка, передача поставщику', params: z.object({ id: z.uuid() }) } }, async (req) => {
    requireCashier(req);
    const row = deps.runner.get(req.params.id);
    if (!row || !['billing', 'thirdparty', 'service'].includes(row.kind)) throw new AppError('not_found', 'Платёж не найден');
    const tape = deps.register.virtual?.documentFor(row.op_id)?.tape ?? null;
    const reversal = row.reversed_by ? deps.runner.get(row.reversed_by) : null;
    return {
      ...paymentView(deps, row),
      createdAt: row.created_at,
      cashierName: row.cashier_name,
      accountNumber: row.account_number,
      providerCode: row.provider_code,
      providerAccount: row.provider_account,
      request: JSON.parse(row.request) as unknown,
      tape,
      reversal: reversal ? { reversalId: reversal.op_id, number: reversal.number, state: reversal.state, createdAt: reversal.created_at } : null,
    };
  });

  r.get('/api/providers', { schema: { ...tag('Третьи лица'), summary: 'Поставщики третьих лиц: счёт, маска, пример, лимиты, комиссия' } }, async (req) => {
    requireCashier(req);
    const rows = deps.db.prepare('SELECT data FROM providers WHERE active = 1 ORDER BY code').all() as { data: string }[];
    return {
      items: rows.map((x) => {
        const p = JSON.parse(x.data) as Record<string, unknown>;
        return { code: p['code'], name: p['name'], category: p['category'], accountLabel: p['accountLabel'], accountMask: p['accountMask'], accountExample: p['accountExample'], normalize: p['normalize'], minKop: p['minKop'], maxKop: p['maxKop'], commission: p['commission'], checkRequired: p['checkRequired'], offlineAllowed: p['offlineAllowed'] };
      }),
    };
  });
  r.post('/api/providers/quote', { schema: { ...tag('Третьи лица'), summary: 'Комиссия и итог до приёма платежа', body: z.object({ providerCode: z.string().max(32), account: z.string().min(1).max(64), amountKop: z.number().int().min(1).max(1_000_000_000_000) }) } }, async (req) => {
    requireCashier(req);
    const q = quoteThirdParty(deps, req.body);
    return { providerCode: q.provider.code, account: q.account, principalKop: q.principalKop, commissionKop: q.commissionKop, totalKop: q.totalKop };
  });
  r.post('/api/providers/check', { schema: { ...tag('Третьи лица'), summary: 'Онлайн-проверка счёта у поставщика (через сервер)', body: z.object({ providerCode: z.string().max(32), account: z.string().min(1).max(64), amountKop: z.number().int().min(0).max(1_000_000_000_000).default(0) }) } }, async (req) => {
    requireCashier(req);
    const provider = providerOf(deps.db, req.body.providerCode);
    if (!provider) throw new AppError('not_found', 'Поставщик не найден');
    if (!deps.sync.state.online) return { online: false, result: null, message: 'Нет связи с сервером: проверка невозможна' };
    try {
      const res = await deps.client.providerCheck(provider.code, normalizeProviderAccount(provider, req.body.account), req.body.amountKop);
      return { online: true, ...res };
    } catch (e) {
      return { online: false, result: null, message: `Проверка не удалась: ${(e as Error).message}` };
    }
  });
  r.get('/api/price-items', { schema: { ...tag('Прейскурант'), summary: 'Услуги пункта' } }, async (req) => {
    requireCashier(req);
    return { items: (deps.db.prepare('SELECT code, name, price_kop AS priceKop, unit, vat FROM price_items WHERE active = 1 ORDER BY name').all()) };
  });

  r.post('/api/readings', { schema: { ...tag('Показания'), summary: 'Показание счётчика с проверками', body: readingRequest } }, async (req, reply) => {
    const cashier = requireCashier(req);
    return reply.code(201).send(submitReading(deps, cashier, req.body));
  });

  r.post('/api/reversals', { schema: { ...tag('Сторно'), summary: 'Сторно платежа чеком возврата', body: reversalRequest } }, async (req, reply) => {
    const cashier = requireCashier(req);
    return reply.code(201).send(await reversePayment(deps, cashier, req.body));
  });

  r.post('/api/shift/open', { schema: { ...tag('Смена'), summary: 'Открыть смену (с разменом)', body: shiftOpenRequest } }, async (req) => openShift(deps, requireCashier(req), req.body));
  r.post('/api/shift/close', { schema: { ...tag('Смена'), summary: 'Закрыть смену (Z-отчёт)', body: shiftCloseRequest } }, async (req) => closeShift(deps, requireCashier(req), req.body));
  r.post('/api/cash/in', { schema: { ...tag('Смена'), summary: 'Внесение (подкрепление)', body: cashMoveRequest } }, async (req) => cashMove(deps, requireCashier(req), 'cash_in', req.body));
  r.post('/api/cash/out', { schema: { ...tag('Смена'), summary: 'Выплата (инкассация)', body: cashMoveRequest } }, async (req) => cashMove(deps, requireCashier(req), 'cash_out', req.body));
  r.post('/api/cash/count', { schema: { ...tag('Смена'), summary: 'Пересчёт наличных: разница с ожидаемым', body: cashCountRequest } }, async (req) => countCash(deps, requireCashier(req), req.body));

  r.post('/api/register/x-report', { schema: { ...tag('ККТ'), summary: 'X-отчёт' } }, async (req) => ({ totals: await xReport(deps, requireCashier(req)) }));
  r.post('/api/register/continue-print', { schema: { ...tag('ККТ'), summary: 'Допечатать все чеки, пробитые без бумаги' } }, async (req) => {
    requireCashier(req);
    return { ok: true, ...(await printUnprinted(deps)) };
  });
  r.post('/api/register/settle', { schema: { ...tag('ККТ'), summary: 'Сверить вручную операцию, исход которой ККТ не сообщает (старший кассир)', body: settleRequest } }, async (req) => settleByHand(deps, requireCashier(req), req.body));
  r.get('/api/register/unresolved', { schema: { ...tag('ККТ'), summary: 'Несверенные и ненапечатанные операции' } }, async (req) => {
    requireCashier(req);
    const view = (r: ReturnType<typeof deps.runner.unresolved>[number]) => ({ opId: r.op_id, kind: r.kind, number: r.number, totalKop: r.total_kop, createdAt: r.created_at, reason: r.unknown_reason });
    return { unresolved: deps.runner.unresolved().map(view), unprinted: deps.runner.unprinted().map(view) };
  });
  for (const action of ['cancel-receipt', 'reprint-last', 'cut'] as const) {
    r.post(`/api/register/${action}`, { schema: { ...tag('ККТ'), summary: action } }, async (req) => {
      requireCashier(req);
      await registerAction(deps, action);
      return { ok: true };
    });
  }
  r.get('/api/register/status', { schema: { ...tag('ККТ'), summary: 'Состояние ККТ' } }, async (req) => {
    requireCashier(req);
    return (await deps.registerStatus.refresh()) ?? { connected: false };
  });
  r.post('/api/register/reconcile', { schema: { ...tag('ККТ'), summary: 'Сверить незавершённые операции с ККТ' } }, async (req) => {
    requireCashier(req);
    return deps.runner.reconcilePending();
  });
  r.get('/api/register/tape', { schema: { ...tag('ККТ'), summary: 'Лента виртуальной ККТ', querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(20) }) } }, async (req) => {
    requireCashier(req);
    return { items: deps.register.virtual?.documents({ limit: req.query.limit }) ?? [] };
  });

  r.post('/api/scan', { schema: { ...tag('Сканер'), summary: 'Что отсканировано: QR квитанции → счёт и сумма', body: scanRequest } }, async (req) => {
    requireCashier(req);
    return resolveScan(deps.db, req.body.text);
  });

  r.post('/api/enroll', { schema: { ...tag('Настройки'), summary: 'Зарегистрировать кассу на сервере по одноразовому коду', body: enrollDeskRequest } }, async (req) => {
    if (deps.identity.current()) requireCashier(req, ['admin']);
    const { enrollWithServer } = await import('./identity.ts');
    const e = await enrollWithServer(req.body.serverUrl, req.body.code).catch((err: Error) => {
      throw new AppError('enroll.code_invalid', `Регистрация не удалась: ${err.message}`);
    });
    const id = deps.identity.save(req.body.serverUrl, e);
    deps.sync.resetAfterEnrollment();
    return { deskId: id.deskId, name: id.name, epoch: id.epoch };
  });

  journalRoutes(app, deps);
  reportRoutes(app, deps);
  settingsRoutes(app, deps, deskSettingsRequest);
  options.testRoutes?.(app);

  // The UI routes its screens itself: unknown non-API paths get its page (see installErrorHandling).
  if (hasUi) await app.register(fastifyStatic, { root: options.uiDir as string, prefix: '/', wildcard: false });
  await app.ready();
  return app;
}
