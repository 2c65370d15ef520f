/**
 * The audit key: the secret the audit chain's HMACs are made with, kept outside the database so that
 * someone who has the database (a backup, a DBA, an attacker) cannot re-hash the chain after editing it.
 * PAYDESK_AUDIT_KEY when set; else the data folder's audit.key, made on the first start (owner-only).
 * Keep it apart from the database's backups: a backup with its key proves nothing.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function loadAuditKey(cfg: { auditKey?: string | undefined; dataDir: string }): Buffer {
  if (cfg.auditKey) return Buffer.from(cfg.auditKey, 'utf8');
  const file = join(cfg.dataDir, 'audit.key');
  if (!existsSync(file)) {
    mkdirSync(cfg.dataDir, { recursive: true });
    writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  }
  chmodSync(file, 0o600);
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
}
