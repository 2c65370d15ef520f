/**
 * The back office's catalogs (points, suppliers, services, accounts, meters, providers, the price
 * list) share one shape: list with search and pagination, read one, create, change. Each is declared
 * once here; writes to replicated tables are stamped with a version and every change is audited.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { AppError, CATALOG_EXAMPLES, CATALOG_RECORDS, catalogPage } from '@paydesk/protocol';
import type { Database } from '../../db/database.ts';
import { lockStamping, nextVersion } from '../../db/versioning.ts';
import { requireUser, type AuthRule, type Principal } from '../../http/auth.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { answers } from '../../http/openapi.ts';

export interface ResourceDef {
  /** URL segment: /api/v1/<path>. */
  path: string;
  table: string;
  key: string;
  /** The key is a server-made UUID; otherwise the client gives it (a code, an account number). */
  uuidKey: boolean;
  /** Replicated to desks: writes take the stamping lock and a new version. */
  versioned: boolean;
  tag: string;
  title: string;
  create: z.ZodObject;
  /** The PATCH body: build it with `patchSchema`, so a field left out is left alone. */
  update: z.ZodObject;
  toDb(input: Record<string, unknown>): Record<string, unknown>;
  fromDb(row: Record<string, unknown>): Record<string, unknown>;
  /** What an integrator (a person or an API key) reads of a record, when less than the back office does. */
  forIntegrator?(record: Record<string, unknown>): Record<string, unknown>;
  /** Columns searched by `q`: the first by prefix, the rest by substring. */
  search: string[];
  orderBy: string;
  read: AuthRule;
  write: AuthRule;
  /** Checks that need the database (a referenced supplier exists, …). */
  check?(db: Database, input: Record<string, unknown>): Promise<void>;
  /** Rules across fields, checked on the record as it would be stored (after a PATCH: the old fields with the new ones). */
  consistent?(record: Record<string, unknown>): string | null;
}

/**
 * The PATCH body of a catalog: the create schema's fields, each optional and with its default taken
 * off, and no field the catalog does not have. zod fills a `.default()` even inside an optional field
 * (`.partial()` keeps them), so a PATCH naming one field used to write every other field's default:
 * a provider's URL change set its commission to none, its online check off and offline payments on
 * (issue 16 item 9). Defaults belong to creation only; a PATCH changes what it names and nothing else.
 */
export function patchSchema(create: z.ZodObject, omit: readonly string[] = []): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, field] of Object.entries(create.shape)) {
    if (omit.includes(name)) continue;
    let inner = field as z.ZodType;
    while (inner instanceof z.ZodDefault || inner instanceof z.ZodPrefault || inner instanceof z.ZodOptional)
      inner = inner.unwrap() as z.ZodType;
    shape[name] = inner.optional();
  }
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `таких полей нет: ${issue.keys.join(', ')}` : undefined),
  });
}

/** A PATCH schema that would fill in a value the client did not send would change what the client did not name. */
function assertPatchFillsNothing(def: ResourceDef): void {
  const parsed = def.update.safeParse({});
  if (!parsed.success || Object.keys(parsed.data).length > 0) {
    throw new Error(
      `catalog ${def.path}: its PATCH schema fills in ${parsed.success ? Object.keys(parsed.data).join(', ') : 'an error'} for an empty body; build it with patchSchema()`,
    );
  }
}

export const listQuery = z.object({
  q: z.string().trim().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
  active: z.enum(['true', 'false']).optional(),
});

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function isUniqueViolation(e: unknown): boolean {
  return (e as { code?: string }).code === '23505';
}

function isFkViolation(e: unknown): boolean {
  return (e as { code?: string }).code === '23503';
}

export function registerResource(app: FastifyInstance, db: Database, def: ResourceDef): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  // Catalog tables are addressed by name here; their columns are checked by each def's mapping.
  const dyn = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
  const base = `/api/v1/${def.path}`;
  const keyParams = z.object({ key: def.uuidKey ? z.uuid('ожидается UUID') : z.string().min(1).max(64) });
  assertPatchFillsNothing(def);
  // What the catalog's reads answer (packages/protocol), when it is one integrators read.
  const record: z.ZodType | undefined = CATALOG_RECORDS[def.path as keyof typeof CATALOG_RECORDS];
  const example: unknown = CATALOG_EXAMPLES[def.path as keyof typeof CATALOG_EXAMPLES];
  const listAnswer = record ? { response: answers({ 200: catalogPage(record, example) }, ['validation.failed']) } : {};
  const oneAnswer = record ? { response: answers({ 200: record.meta({ examples: [example] }) }, ['validation.failed', 'not_found']) } : {};
  const view = (p: Principal, row: Record<string, unknown>): Record<string, unknown> => {
    const record = def.fromDb(row);
    return def.forIntegrator && p.kind === 'user' && p.role === 'integrator' ? def.forIntegrator(record) : record;
  };

  r.get(
    base,
    { schema: { tags: [def.tag], summary: `${def.title}: список`, querystring: listQuery, ...listAnswer }, config: { auth: def.read } },
    async (req) => {
      const { q, limit, offset, active } = req.query;
      let query = dyn.selectFrom(def.table);
      if (q) {
        const [first, ...rest] = def.search;
        const like = escapeLike(q);
        query = query.where((eb) =>
          eb.or([...(first ? [eb(sql.ref(first), 'ilike', `${like}%`)] : []), ...rest.map((c) => eb(sql.ref(c), 'ilike', `%${like}%`))]),
        );
      }
      // Active is a flag on most catalogs and a status on accounts (active/closed); a catalog with neither says so rather than ignoring the filter.
      if (active !== undefined) {
        if (def.create.shape['active']) query = query.where(sql.ref('active'), '=', active === 'true');
        else if (def.create.shape['status']) query = query.where(sql.ref('status'), '=', active === 'true' ? 'active' : 'closed');
        else throw new AppError('validation.failed', `${def.title}: фильтра active нет — записи не бывают неактивными`);
      }
      const [rows, count] = await Promise.all([
        query.selectAll().orderBy(sql.ref(def.orderBy)).limit(limit).offset(offset).execute(),
        query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
      ]);
      return { items: rows.map((row) => view(req.principal, row)), total: Number(count?.n ?? 0), limit, offset };
    },
  );

  r.get(
    `${base}/:key`,
    { schema: { tags: [def.tag], summary: `${def.title}: одна запись`, params: keyParams, ...oneAnswer }, config: { auth: def.read } },
    async (req) => {
      const row = await dyn.selectFrom(def.table).selectAll().where(sql.ref(def.key), '=', req.params.key).executeTakeFirst();
      if (!row) throw new AppError('not_found', `${def.title}: «${req.params.key}» не найдено`);
      return view(req.principal, row);
    },
  );

  r.post(
    base,
    { schema: { tags: [def.tag], summary: `${def.title}: создать`, body: def.create }, config: { auth: def.write } },
    async (req, reply) => {
      const user = requireUser(req.principal);
      const input = req.body;
      await def.check?.(db, input);
      const row = def.toDb(input);
      if (def.uuidKey) row[def.key] = randomUUID();
      try {
        await db.transaction().execute(async (trx) => {
          const t = trx as unknown as Kysely<Record<string, Record<string, unknown>>>;
          if (def.versioned) {
            await lockStamping(trx);
            row['version'] = nextVersion();
          }
          await t.insertInto(def.table).values(row).execute();
          await checkConsistent(t, def, row[def.key]);
          await appendAudit(trx, {
            actorType: 'user',
            actorId: user.userId,
            action: `${def.path}.create`,
            target: String(row[def.key]),
            details: redact(input),
          });
        });
      } catch (e) {
        if (isUniqueViolation(e)) throw new AppError('conflict', `${def.title}: такая запись уже есть`);
        if (isFkViolation(e)) throw new AppError('validation.failed', `${def.title}: ссылка на несуществующую запись`);
        throw e;
      }
      const created = await dyn.selectFrom(def.table).selectAll().where(sql.ref(def.key), '=', row[def.key]).executeTakeFirstOrThrow();
      return reply.code(201).send(def.fromDb(created));
    },
  );

  r.patch(
    `${base}/:key`,
    { schema: { tags: [def.tag], summary: `${def.title}: изменить`, params: keyParams, body: def.update }, config: { auth: def.write } },
    async (req) => {
      const user = requireUser(req.principal);
      const input = req.body;
      if (Object.keys(input).length === 0) throw new AppError('validation.failed', 'Нечего менять: тело запроса пустое');
      await def.check?.(db, input);
      const changes = def.toDb(input);
      try {
        await db.transaction().execute(async (trx) => {
          const t = trx as unknown as Kysely<Record<string, Record<string, unknown>>>;
          if (def.versioned) {
            await lockStamping(trx);
            changes['version'] = nextVersion();
          }
          const res = await t.updateTable(def.table).set(changes).where(sql.ref(def.key), '=', req.params.key).executeTakeFirst();
          if (Number(res.numUpdatedRows) === 0) throw new AppError('not_found', `${def.title}: «${req.params.key}» не найдено`);
          await checkConsistent(t, def, req.params.key);
          await appendAudit(trx, {
            actorType: 'user',
            actorId: user.userId,
            action: `${def.path}.update`,
            target: req.params.key,
            details: redact(input),
          });
        });
      } catch (e) {
        if (isUniqueViolation(e)) throw new AppError('conflict', `${def.title}: такая запись уже есть`);
        if (isFkViolation(e)) throw new AppError('validation.failed', `${def.title}: ссылка на несуществующую запись`);
        throw e;
      }
      const updated = await dyn.selectFrom(def.table).selectAll().where(sql.ref(def.key), '=', req.params.key).executeTakeFirstOrThrow();
      return def.fromDb(updated);
    },
  );
}

/** The record as written, inside the writing transaction: a broken cross-field rule rolls the write back. */
async function checkConsistent(t: Kysely<Record<string, Record<string, unknown>>>, def: ResourceDef, key: unknown): Promise<void> {
  if (!def.consistent) return;
  const row = await t.selectFrom(def.table).selectAll().where(sql.ref(def.key), '=', key).executeTakeFirst();
  const problem = row ? def.consistent(def.fromDb(row)) : null;
  if (problem) throw new AppError('validation.failed', `${def.title}: ${problem}`);
}

/** Secrets never reach the audit log. */
function redact(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) out[k] = /password|secret|key/i.test(k) ? '***' : v;
  return out;
}
