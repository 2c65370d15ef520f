/**
 * API keys for machine clients (issue 24 item 8): a billing, a supplier's or a provider's system gets a
 * key instead of a person's session. A key is scoped (a few of API_SCOPES), revocable, optionally
 * expiring, shown once at creation and stored as its SHA-256 only; its first characters tell keys
 * apart in lists, and its last use is kept to the minute (http/auth.ts). Creating and revoking are
 * audited; the key itself never reaches the audit log or any answer but the first.
 */
import { randomUUID } from 'node:crypto';
import { AppError, API_SCOPES, type ApiKeyState, type ApiScope } from '@paydesk/protocol';
import type { Database } from '../../db/database.ts';
import { newApiKey, sha256 } from '../../security/secrets.ts';
import { appendAudit } from '../audit/audit-log.ts';
import type { Actor } from '../desks/desks.ts';
import { organisationTimeZone } from '../settings/time-zone.ts';

/** `pda_` and the first 8 characters of the random part: enough to tell keys apart, nothing to guess with. */
const PREFIX_LENGTH = 12;

export interface ApiKeyView {
  id: string;
  name: string;
  scopes: ApiScope[];
  prefix: string;
  state: ApiKeyState;
  createdAt: string;
  createdBy: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface CreatedApiKey {
  id: string;
  name: string;
  scopes: ApiScope[];
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  /** The key itself: shown this once, never stored. */
  key: string;
}

export interface NewApiKey {
  name: string;
  scopes: readonly ApiScope[];
  /** An instant with its offset, or a date: the start of that day in the organisation's time zone. */
  expiresAt?: string | null | undefined;
}

/** The instant a day starts in a time zone (e.g. 2027-01-01 in Europe/Moscow → 2026-12-31T21:00:00Z). */
export function startOfDayIn(timeZone: string, date: string): Date {
  const utcMidnight = Date.parse(`${date}T00:00:00Z`);
  const offsetAt = (t: number): number => {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      })
        .formatToParts(new Date(t))
        .map((p) => [p.type, p.value]),
    );
    return (
      Date.UTC(
        Number(parts['year']),
        Number(parts['month']) - 1,
        Number(parts['day']),
        Number(parts['hour']),
        Number(parts['minute']),
        Number(parts['second']),
      ) - t
    );
  };
  const guess = utcMidnight - offsetAt(utcMidnight);
  return new Date(utcMidnight - offsetAt(guess));
}

async function expiryOf(db: Database, value: string | null | undefined, now: Date): Promise<Date | null> {
  if (value === null || value === undefined) return null;
  const at = /^\d{4}-\d{2}-\d{2}$/.test(value) ? startOfDayIn(await organisationTimeZone(db), value) : new Date(value);
  if (Number.isNaN(at.getTime()))
    throw new AppError('validation.failed', `Срок действия ключа «${value}» не читается: дата ГГГГ-ММ-ДД или время ISO 8601 со смещением`);
  if (at.getTime() <= now.getTime())
    throw new AppError('validation.failed', `Срок действия ключа (${at.toISOString()}) уже прошёл: ключ был бы недействителен с рождения`);
  return at;
}

export async function createApiKey(db: Database, input: NewApiKey, actor: Actor, now = new Date()): Promise<CreatedApiKey> {
  const name = input.name.trim();
  if (!name || name.length > 100) throw new AppError('validation.failed', 'Название ключа: от 1 до 100 символов');
  const unknown = input.scopes.filter((s) => !(API_SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0)
    throw new AppError('validation.failed', `Нет таких областей: ${unknown.join(', ')}. Области: ${API_SCOPES.join(', ')}`);
  const scopes = [...new Set(input.scopes)];
  if (scopes.length === 0) throw new AppError('validation.failed', `Ключу нужна хотя бы одна область: ${API_SCOPES.join(', ')}`);
  const expiresAt = await expiryOf(db, input.expiresAt, now);
  const key = newApiKey();
  const id = randomUUID();
  const prefix = key.slice(0, PREFIX_LENGTH);
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('api_keys')
      .values({
        id,
        name,
        scopes: JSON.stringify(scopes),
        key_hash: sha256(key),
        key_prefix: prefix,
        created_at: now,
        created_by: actor.id,
        expires_at: expiresAt,
        revoked_at: null,
        revoked_by: null,
        last_used_at: null,
      })
      .execute();
    await appendAudit(
      trx,
      {
        actorType: actor.type,
        actorId: actor.id,
        action: 'apikey.create',
        target: id,
        details: { name, scopes, prefix, expiresAt: expiresAt?.toISOString() ?? null },
      },
      now,
    );
  });
  return { id, name, scopes, prefix, createdAt: now.toISOString(), expiresAt: expiresAt?.toISOString() ?? null, key };
}

export async function listApiKeys(db: Database, now = new Date()): Promise<ApiKeyView[]> {
  const rows = await db
    .selectFrom('api_keys')
    .select(['id', 'name', 'scopes', 'key_prefix', 'created_at', 'created_by', 'expires_at', 'revoked_at', 'last_used_at'])
    .orderBy('created_at', 'desc')
    .orderBy('name')
    .execute();
  return rows.map((k) => ({
    id: k.id,
    name: k.name,
    scopes: k.scopes as ApiScope[],
    prefix: k.key_prefix,
    state: k.revoked_at ? 'revoked' : k.expires_at && k.expires_at.getTime() <= now.getTime() ? 'expired' : 'active',
    createdAt: k.created_at.toISOString(),
    createdBy: k.created_by,
    expiresAt: k.expires_at?.toISOString() ?? null,
    revokedAt: k.revoked_at?.toISOString() ?? null,
    lastUsedAt: k.last_used_at?.toISOString() ?? null,
  }));
}

/** Revokes a key at once: its next request answers 401. Revoking a revoked key changes nothing. */
export async function revokeApiKey(db: Database, id: string, actor: Actor, now = new Date()): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const key = await trx.selectFrom('api_keys').select(['id', 'name', 'revoked_at']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!key) throw new AppError('not_found', 'API-ключ не найден');
    if (key.revoked_at) return;
    await trx.updateTable('api_keys').set({ revoked_at: now, revoked_by: actor.id }).where('id', '=', id).execute();
    await appendAudit(
      trx,
      { actorType: actor.type, actorId: actor.id, action: 'apikey.revoke', target: id, details: { name: key.name } },
      now,
    );
  });
}
