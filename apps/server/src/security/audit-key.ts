/**
 * The audit key: the secret the audit chain's HMACs are made with, kept outside the database so that
 * someone who has the database (a backup, a DBA, an attacker) cannot re-hash the chain after editing it.
 * PAYDESK_AUDIT_KEY when set; else the data folder's audit.key, made on the first start (owner-only).
 * Keep it apart from the database's backups: a backup with its key proves nothing.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The key, and whether it is new here (made now, or an env key this data folder has not seen): only a new
 * key may close a plain log with its first signed entry (audit-log.ts startKeyedAudit).
 */
export function loadAuditKey(cfg: { auditKey?: string | undefined; dataDir: string }): { key: Buffer; fresh: boolean } {
  mkdirSync(cfg.dataDir, { recursive: true });
  if (cfg.auditKey) {
    const seen = join(cfg.dataDir, 'audit.key-seen');
    const fresh = !existsSync(seen);
    if (fresh) writeFileSync(seen, 'PAYDESK_AUDIT_KEY signs this data folder’s audit log\n', { mode: 0o600 });
    return { key: Buffer.from(cfg.auditKey, 'utf8'), fresh };
  }
  const file = join(cfg.dataDir, 'audit.key');
  const fresh = !existsSync(file);
  if (fresh) writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return { key: Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'), fresh };
}
