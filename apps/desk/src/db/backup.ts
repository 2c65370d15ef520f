/**
 * `paydesk-desk backup`: a consistent copy of a desk's data folder while the desk runs. Each SQLite
 * file (the journal, the virtual register) is copied with VACUUM INTO — one read transaction, so the
 * copy is the file at one instant whatever the desk commits meanwhile, with no WAL beside it to lose —
 * and the desk's key and the register's secret go with it, since a desk put back without them cannot
 * sign in to the server or to its register. The copy is built in a sibling folder and renamed into
 * place, readable by its owner only: a failed backup leaves nothing that looks like one.
 */
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  rmdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Database } from '@paydesk/sqlite';
import { syncPath } from './durable-files.ts';
import { SyncState } from '../features/journal/lifecycle.ts';
import { ackedWireSeq } from '../features/sync/recovery.ts';

const DATABASES = ['journal.sqlite', 'register.sqlite'];
/** The desk's secrets: without desk.key the copy is a desk that must be enrolled again. */
const SECRETS = ['desk.key', 'register.secret'];

export interface BackupManifest {
  takenAt: string;
  deskName: string | null;
  deskId: string | null;
  epoch: number | null;
  /**
   * The last seq the server had answered for when the copy was taken, in the numbering the server
   * knows: a desk put back from it resends what the server lacks after it.
   */
  lastSeq: number;
  /** Operations in the copy the server had not answered for yet: they exist only here until sent. */
  unsent: number;
  operations: number;
  files: string[];
}

export class BackupError extends Error {}

function copyDatabase(from: string, to: string): void {
  const db = new Database(from, { fileMustExist: true });
  try {
    // A desk committing at this moment holds the write lock for milliseconds; wait rather than fail.
    db.pragma('busy_timeout = 10000');
    db.prepare('VACUUM INTO ?').run(to);
  } finally {
    db.close();
  }
  chmodSync(to, 0o600);
  const copy = new Database(to, { readonly: true });
  try {
    const check = copy.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new BackupError(`Копия ${basename(to)} повреждена: ${String(check)}`);
  } finally {
    copy.close();
  }
}

function describe(journal: string, files: string[], now: Date): BackupManifest {
  const db = new Database(journal, { readonly: true });
  try {
    const meta = (key: string): string | null =>
      (db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value ?? null;
    const epoch = meta('epoch');
    return {
      takenAt: now.toISOString(),
      deskName: meta('desk_name'),
      deskId: meta('desk_id'),
      epoch: epoch === null ? null : Number(epoch),
      lastSeq: ackedWireSeq(db),
      unsent: (db.prepare(`SELECT count(*) AS n FROM ops WHERE sync_state = '${SyncState.pending}'`).get() as { n: number }).n,
      operations: (db.prepare('SELECT count(*) AS n FROM operations').get() as { n: number }).n,
      files,
    };
  } finally {
    db.close();
  }
}

export function backupDataFolder(dataDir: string, outDir: string, now = new Date()): BackupManifest {
  if (!existsSync(join(dataDir, 'journal.sqlite'))) throw new BackupError(`В папке ${dataDir} нет журнала кассы (journal.sqlite)`);
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) throw new BackupError(`${outDir} — не папка: укажите папку для копии`);
  if (existsSync(outDir) && readdirSync(outDir).length > 0)
    throw new BackupError(`В ${outDir} уже есть файлы: укажите новую папку для копии (старую копию она не заменяет)`);
  // A link to the backup disk's folder (or a mount point) is the folder itself: the copy goes there.
  const target = existsSync(outDir) ? realpathSync(outDir) : resolve(outDir);
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  // What a backup killed half-way into the same place left: never a copy, only in the way.
  const prefix = `.${basename(target)}.partial-`;
  for (const name of readdirSync(parent)) if (name.startsWith(prefix)) rmSync(join(parent, name), { recursive: true, force: true });
  const partial = join(parent, `${prefix}${process.pid}`);
  mkdirSync(partial, { mode: 0o700 });
  chmodSync(partial, 0o700);
  try {
    const files: string[] = [];
    for (const name of DATABASES) {
      if (!existsSync(join(dataDir, name))) continue;
      copyDatabase(join(dataDir, name), join(partial, name));
      files.push(name);
    }
    for (const name of SECRETS) {
      if (!existsSync(join(dataDir, name))) continue;
      copyFileSync(join(dataDir, name), join(partial, name));
      chmodSync(join(partial, name), 0o600);
      files.push(name);
    }
    const manifest = describe(join(partial, 'journal.sqlite'), files, now);
    writeFileSync(join(partial, 'backup.json'), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    // On the disk before it is called a copy: a power cut after «done» must not leave empty files.
    for (const name of readdirSync(partial)) syncPath(join(partial, name));
    syncPath(partial);
    place(partial, target);
    syncPath(parent);
    return manifest;
  } catch (e) {
    rmSync(partial, { recursive: true, force: true });
    throw e;
  }
}

/** The finished copy under its name: renamed, or — onto a mount point, which cannot be replaced — moved in file by file. */
function place(partial: string, target: string): void {
  if (!existsSync(target)) {
    renameSync(partial, target);
    return;
  }
  try {
    rmdirSync(target);
    renameSync(partial, target);
  } catch {
    chmodSync(target, 0o700);
    for (const name of readdirSync(partial)) {
      copyFileSync(join(partial, name), join(target, name));
      chmodSync(join(target, name), 0o600);
      syncPath(join(target, name));
    }
    syncPath(target);
    rmSync(partial, { recursive: true, force: true });
  }
}
