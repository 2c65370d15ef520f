/**
 * Who is calling and whether they may. Every route declares `config.auth`; a route without it
 * cannot even be registered, so no route slips through unguarded. Desks present their per-desk key,
 * people a session token, machine clients an API key, all as `Authorization: Bearer`.
 *
 * An API key (`pda_…`) works as the `integrator` role restricted to its scopes: it passes a route only
 * when the route lets integrators in *and* names a scope the key holds. Desk routes, administrator
 * routes and the routes of a person's session (sign-out, who am I) name no scope, so no key opens them.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, type ApiScope } from '@paydesk/protocol';
import type { Database } from '../db/database.ts';
import type { UserRole } from '../db/schema.ts';
import { sha256 } from '../security/secrets.ts';
import { isoInZone, organisationTimeZone } from '../features/settings/time-zone.ts';

/**
 * `scope`: the one scope an API key needs for this route; without it no key may call the route. A route
 * that lets integrators in names its scope, or says it is for a person's session only (`sessionOnly`).
 */
export type AuthRule = 'public' | { desk?: boolean; roles?: readonly UserRole[]; scope?: ApiScope; sessionOnly?: true };

/** What a request made with an API key carries: the key, and the scopes that bound it. */
export interface ApiKeyPrincipal {
  id: string;
  name: string;
  scopes: readonly ApiScope[];
}

export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'desk'; deskId: string; pointId: string; epoch: number; name: string }
  /** A person's session, or an API key (`apiKey` set: `userId` is then the key's id, the role `integrator`). */
  | { kind: 'user'; userId: string; role: UserRole; login: string; name: string; apiKey?: ApiKeyPrincipal };

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthRule;
  }
  interface FastifyRequest {
    principal: Principal;
  }
}

export const ADMIN: AuthRule = { roles: ['admin'] };
export const BACK_OFFICE: AuthRule = { roles: ['admin', 'senior_cashier'] };
export const DESK: AuthRule = { desk: true };

/** An integration route: administrators, integrators, and API keys holding `scope`. */
export function integration(scope: ApiScope): AuthRule {
  return { roles: ['admin', 'integrator'], scope };
}

/** Catalogs, desks and payments as the back office and integrators read them (keys: scope `read`). */
export const READ: AuthRule = { roles: ['admin', 'senior_cashier', 'integrator'], scope: 'read' };

export interface RouteRecord {
  method: string;
  url: string;
  auth: AuthRule;
}

export function installAuth(app: FastifyInstance, db: Database, now: () => Date): RouteRecord[] {
  const routes: RouteRecord[] = [];
  // Fastify wants decorated objects to start as null; onRequest sets the principal on every request.
  (app.decorateRequest as (name: string, value: null) => void)('principal', null);
  app.addHook('onRoute', (route) => {
    // Routes added by plugins for documentation and the admin UI's static files are public by design
    // (the data behind the UI is not); every other route must say.
    const auth = route.config?.auth ?? (route.url.startsWith('/api/docs') || route.url.startsWith('/admin/') ? 'public' : undefined);
    if (auth === undefined) throw new Error(`route ${String(route.method)} ${route.url} declares no config.auth`);
    if (auth !== 'public' && auth.roles?.includes('integrator') && !auth.scope && !auth.sessionOnly) {
      throw new Error(
        `route ${String(route.method)} ${route.url} lets integrators in but names no API key scope: integration(scope), or sessionOnly`,
      );
    }
    route.config = { ...route.config, auth };
    // The OpenAPI says which scope an API key needs here (docs/integration.md has the whole table).
    if (typeof auth === 'object' && auth.scope) {
      const description = (route.schema as { description?: string } | undefined)?.description;
      route.schema = {
        ...route.schema,
        description: [description, `API-ключ: нужна область «${auth.scope}» (сеансу интегратора и администратора — не нужна).`]
          .filter(Boolean)
          .join('\n\n'),
      };
    }
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url, auth });
  });
  app.addHook('onRequest', async (request) => {
    request.principal = { kind: 'anonymous' };
    const rule = request.routeOptions.config.auth;
    if (rule === undefined || rule === 'public') {
      // Public routes still know a caller who presents a valid token (e.g. /health for a desk).
      return;
    }
    request.principal = await authenticate(db, request, now());
    authorize(rule, request.principal);
  });
  return routes;
}

function bearer(request: FastifyRequest): string | null {
  const h = request.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m?.[1] ?? null;
}

export async function authenticate(db: Database, request: FastifyRequest, at: Date): Promise<Principal> {
  const token = bearer(request);
  if (!token) throw new AppError('auth.required', 'Требуется вход: передайте ключ кассы или токен пользователя в заголовке Authorization');
  const hash = sha256(token);
  if (token.startsWith('pdk_')) {
    const desk = await db
      .selectFrom('desks')
      .select(['id', 'point_id', 'epoch', 'name', 'revoked_at'])
      .where('key_hash', '=', hash)
      .executeTakeFirst();
    if (!desk) throw new AppError('auth.required', 'Ключ кассы не найден: касса не зарегистрирована или перерегистрирована');
    if (desk.revoked_at) throw new AppError('auth.key_revoked', 'Ключ этой кассы отозван администратором');
    await db.updateTable('desks').set({ last_seen_at: at }).where('id', '=', desk.id).execute();
    return { kind: 'desk', deskId: desk.id, pointId: desk.point_id, epoch: desk.epoch, name: desk.name };
  }
  if (token.startsWith('pdu_')) {
    const row = await db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select(['users.id', 'users.role', 'users.login', 'users.name', 'users.active', 'sessions.expires_at', 'sessions.revoked_at'])
      .where('sessions.token_hash', '=', hash)
      .executeTakeFirst();
    if (!row || row.revoked_at || row.expires_at.getTime() <= at.getTime())
      throw new AppError('auth.required', 'Сеанс истёк или завершён: войдите снова');
    if (!row.active) throw new AppError('auth.user_locked', 'Пользователь заблокирован');
    return { kind: 'user', userId: row.id, role: row.role, login: row.login, name: row.name };
  }
  if (token.startsWith('pda_')) return authenticateApiKey(db, hash, at);
  throw new AppError('auth.required', 'Неизвестный вид ключа доступа');
}

/** A moment as the organisation's clocks show it, with their offset: «28.11.2026 09:05 (UTC+07:00)». */
async function organisationTime(db: Database, d: Date): Promise<string> {
  const iso = isoInZone(await organisationTimeZone(db), d);
  return `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)} ${iso.slice(11, 16)} (UTC${iso.slice(19)})`;
}

/** A key's last use is recorded to the minute: one write a minute per key, not one per request. */
const LAST_USED_STEP_MS = 60_000;

async function authenticateApiKey(db: Database, hash: string, at: Date): Promise<Principal> {
  const key = await db
    .selectFrom('api_keys')
    .select(['id', 'name', 'scopes', 'key_prefix', 'expires_at', 'revoked_at', 'last_used_at'])
    .where('key_hash', '=', hash)
    .executeTakeFirst();
  if (!key)
    throw new AppError('auth.required', 'API-ключ не найден: проверьте, что он передан целиком, или попросите у администратора новый');
  if (key.revoked_at)
    throw new AppError(
      'auth.key_revoked',
      `API-ключ «${key.name}» отозван администратором ${await organisationTime(db, key.revoked_at)}: попросите новый ключ`,
    );
  if (key.expires_at && key.expires_at.getTime() <= at.getTime()) {
    throw new AppError(
      'auth.key_expired',
      `Срок действия API-ключа «${key.name}» истёк ${await organisationTime(db, key.expires_at)}: попросите у администратора новый ключ`,
    );
  }
  if (!key.last_used_at || at.getTime() - key.last_used_at.getTime() >= LAST_USED_STEP_MS) {
    await db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', key.id).execute();
  }
  return {
    kind: 'user',
    userId: key.id,
    role: 'integrator',
    login: `apikey:${key.key_prefix}`,
    name: `API-ключ «${key.name}»`,
    apiKey: { id: key.id, name: key.name, scopes: key.scopes as ApiScope[] },
  };
}

export function authorize(rule: Exclude<AuthRule, 'public'>, p: Principal): void {
  if (p.kind === 'desk' && rule.desk) return;
  if (p.kind === 'user' && p.apiKey) {
    if (!rule.roles?.includes('integrator') || !rule.scope)
      throw new AppError('auth.forbidden', 'API-ключ не открывает этот адрес: он только для касс, администраторов или входа по паролю');
    if (p.apiKey.scopes.includes(rule.scope)) return;
    throw new AppError(
      'auth.forbidden',
      `API-ключу «${p.apiKey.name}» не хватает области «${rule.scope}» (у него: ${p.apiKey.scopes.join(', ')})`,
    );
  }
  if (p.kind === 'user' && rule.roles?.includes(p.role)) return;
  throw new AppError('auth.forbidden', p.kind === 'desk' ? 'Этот адрес не для касс' : 'Недостаточно прав для этого действия');
}

export function requireDesk(p: Principal): Extract<Principal, { kind: 'desk' }> {
  if (p.kind !== 'desk') throw new AppError('auth.forbidden', 'Только для касс');
  return p;
}

export function requireUser(p: Principal): Extract<Principal, { kind: 'user' }> {
  if (p.kind !== 'user') throw new AppError('auth.forbidden', 'Только для пользователей');
  return p;
}
