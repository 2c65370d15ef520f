/**
 * What an empty database needs before anyone can work: the administrator, a first point of
 * acceptance, and the default settings. Safe to run on every start.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from './db/database.ts';
import { ensureAdmin } from './features/auth/users.ts';
import { seedDefaultSettings } from './features/settings/seed.ts';
import { checkIncarnation } from './db/incarnation.ts';
import { startKeyedAudit } from './features/audit/audit-log.ts';

export async function bootstrap(
  db: Database,
  adminPassword: string | undefined,
  log: (line: string) => void,
  auditKey?: { key: Buffer; fresh: boolean },
): Promise<void> {
  const admin = await ensureAdmin(db, adminPassword);
  if (admin.generatedPassword)
    log(`Создан администратор: логин admin, пароль ${admin.generatedPassword} (запишите его — он больше не будет показан)`);
  const point = await db.selectFrom('points').select('id').limit(1).executeTakeFirst();
  if (!point) await db.insertInto('points').values({ id: randomUUID(), code: 'P1', name: 'Пункт приёма платежей', address: '' }).execute();
  await seedDefaultSettings(db);
  await checkIncarnation(db, log);
  if (auditKey) {
    const problem = await startKeyedAudit(db, auditKey.key, { freshKey: auditKey.fresh });
    if (problem) log(problem);
  }
}
