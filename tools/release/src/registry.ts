/**
 * Packages for another platform than this machine's (Node for Windows, a native module's Windows
 * build): npm did not install them here, but the lockfile pins each one's version and integrity. They
 * are fetched from the npm registry with `npm pack` and refused unless their sha512 is the lockfile's.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extract } from 'tar';

export interface LockEntry {
  version: string;
  integrity: string;
  os?: string[];
  cpu?: string[];
}

export type Lockfile = Record<string, LockEntry>;

export function readLockfile(root: string): Lockfile {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Lockfile };
  return lock.packages;
}

/** The lockfile's entry for `name` as installed beside `owner` (nested first, then hoisted). */
export function lockEntry(lock: Lockfile, name: string, owner?: string): { at: string; entry: LockEntry } | null {
  const places = [...(owner ? [`node_modules/${owner}/node_modules/${name}`] : []), `node_modules/${name}`];
  for (const place of places) {
    const entry = lock[place];
    if (entry?.integrity) return { at: place.slice('node_modules/'.length), entry };
  }
  return null;
}

/** Fetches `name@version`, checks it against `integrity` (sha512-…) and unpacks it into `dest`. */
export async function fetchPinned(name: string, entry: LockEntry, dest: string): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'paydesk-pack-'));
  try {
    const out = execFileSync('npm', ['pack', `${name}@${entry.version}`, '--json', '--pack-destination', work], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [packed] = JSON.parse(out) as { filename: string }[];
    if (!packed) throw new Error(`npm pack ${name}@${entry.version}: no file`);
    const file = join(work, packed.filename);
    const digest = `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
    if (digest !== entry.integrity)
      throw new Error(`${name}@${entry.version}: the registry's file is not the one the lockfile pins (${digest} ≠ ${entry.integrity})`);
    mkdirSync(dest, { recursive: true });
    await extract({ file, cwd: dest, strip: 1 });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
