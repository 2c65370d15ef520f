import type { Database } from '../../db/database.ts';
import { putSetting } from './routes.ts';
import { DEFAULT_SETTINGS, type SettingKey } from '@paydesk/protocol';

/** Global defaults for settings nobody has set yet. */
export async function seedDefaultSettings(db: Database): Promise<void> {
  const existing = new Set((await db.selectFrom('settings').select('key').where('scope', '=', 'global').execute()).map((r) => r.key));
  for (const [key, value] of Object.entries(DEFAULT_SETTINGS)) {
    if (!existing.has(key)) await putSetting(db, 'global', null, key as SettingKey, value, { type: 'system', id: null });
  }
}
