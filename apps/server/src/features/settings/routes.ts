import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, zodIssues } from '@paydesk/protocol';
import type { Database } from '../../db/database.ts';
import { lockStamping, nextVersion } from '../../db/versioning.ts';
import { ADMIN, BACK_OFFICE, requireUser } from '../../http/auth.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { SETTINGS, SETTING_KEYS, type SettingKey } from '@paydesk/protocol';

const NIL = '00000000-0000-0000-0000-000000000000';

export async function putSetting(
  db: Database,
  scope: 'global' | 'point' | 'desk',
  scopeId: string | null,
  key: SettingKey,
  value: unknown,
  actor: { type: 'user' | 'system'; id: string | null },
): Promise<void> {
  const parsed = SETTINGS[key].safeParse(value);
  if (!parsed.success)
    throw new AppError('validation.failed', `Настройка ${key}: ${zodIssues(parsed.error)[0]?.message ?? 'неверное значение'}`);
  if (scope !== 'global' && !scopeId) throw new AppError('validation.failed', 'Для настройки пункта или кассы укажите scopeId');
  await db.transaction().execute(async (trx) => {
    await lockStamping(trx);
    await trx
      .insertInto('settings')
      .values({
        key,
        scope,
        scope_id: scope === 'global' ? NIL : (scopeId as string),
        value: JSON.stringify(parsed.data),
        version: nextVersion(),
      })
      .onConflict((oc) =>
        oc
          .columns(['key', 'scope', 'scope_id'])
          .doUpdateSet((eb) => ({ value: eb.ref('excluded.value'), version: eb.ref('excluded.version') })),
      )
      .execute();
    await appendAudit(trx, {
      actorType: actor.type,
      actorId: actor.id,
      action: 'settings.put',
      target: `${scope}:${scopeId ?? ''}:${key}`,
      details: { value: parsed.data },
    });
  });
}

export function settingsRoutes(app: FastifyInstance, db: Database): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/v1/settings',
    { schema: { tags: ['Настройки'], summary: 'Все настройки по областям' }, config: { auth: BACK_OFFICE } },
    async () => {
      const rows = await db.selectFrom('settings').select(['key', 'scope', 'scope_id', 'value']).orderBy('scope').orderBy('key').execute();
      return {
        keys: SETTING_KEYS,
        items: rows.map((s) => ({ key: s.key, scope: s.scope, scopeId: s.scope === 'global' ? null : s.scope_id, value: s.value })),
      };
    },
  );
  r.put(
    '/api/v1/settings',
    {
      schema: {
        tags: ['Настройки'],
        summary: 'Задать настройку',
        body: z.object({
          scope: z.enum(['global', 'point', 'desk']),
          scopeId: z.uuid().nullable().optional(),
          key: z.enum(SETTING_KEYS as [SettingKey, ...SettingKey[]]),
          value: z.unknown(),
        }),
      },
      config: { auth: ADMIN },
    },
    async (req) => {
      const user = requireUser(req.principal);
      await putSetting(db, req.body.scope, req.body.scopeId ?? null, req.body.key, req.body.value, { type: 'user', id: user.userId });
      return { ok: true };
    },
  );
}
