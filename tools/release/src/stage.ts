/** Putting one archive's folder together: the app, its packages, the runtime, the UI, the service files. */
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fitsPlatform, type Missing, type Needed } from './closure.ts';
import { fetchPinned, lockEntry, type Lockfile } from './registry.ts';

export interface Platform {
  os: 'linux' | 'win32';
  cpu: 'x64';
}

/** Copies each package to its place under `dest/node_modules`, without the packages nested in it (listed on their own). */
export function copyPackages(needed: Needed[], dest: string, platform: Platform): string[] {
  const skipped: string[] = [];
  for (const n of needed) {
    if (!fitsPlatform(n.pkg, platform.os, platform.cpu)) {
      skipped.push(n.at);
      continue;
    }
    const nested = join(n.dir, 'node_modules') + sep;
    // TypeScript sources, type declarations and source maps are for building, not running (no TypeScript
    // at run time): a third of some packages.
    cpSync(n.dir, join(dest, 'node_modules', n.at), {
      recursive: true,
      verbatimSymlinks: true,
      filter: (src) => !(src + sep).startsWith(nested) && !/\.([cm]?tsx?|map)$/.test(src),
    });
  }
  return skipped;
}

/** Another platform's builds of the optional packages npm left out here, from the registry, pinned by the lockfile. */
export async function fetchPlatformPackages(missing: Missing[], lock: Lockfile, dest: string, platform: Platform): Promise<string[]> {
  const fetched: string[] = [];
  for (const m of missing) {
    const found = lockEntry(lock, m.name);
    // npm records every platform's build of an optional package; one missing from the lockfile cannot be
    // pinned, and leaving it out could ship an archive that fails on the target.
    if (!found) throw new Error(`${m.name} (для ${m.wantedBy}) нет в package-lock.json: его нельзя закрепить — npm install, затем снова`);
    const { entry, at } = found;
    if (
      !fitsPlatform(
        { name: m.name, version: entry.version, ...(entry.os ? { os: entry.os } : {}), ...(entry.cpu ? { cpu: entry.cpu } : {}) },
        platform.os,
        platform.cpu,
      )
    )
      continue;
    // glibc and musl builds both say linux/x64: the runtime is glibc's.
    if (platform.os === 'linux' && m.name.includes('musl')) continue;
    const target = join(dest, 'node_modules', at);
    if (existsSync(target)) continue;
    await fetchPinned(m.name, entry, target);
    fetched.push(`${m.name}@${entry.version}`);
  }
  return fetched;
}

/** A template with its placeholders filled; `crlf` for Windows's cmd and XML files. */
export function writeTemplate(
  from: string,
  to: string,
  values: Record<string, string>,
  options: { mode?: number; crlf?: boolean } = {},
): void {
  let text = readFileSync(from, 'utf8');
  for (const [k, v] of Object.entries(values)) text = text.replaceAll(`@${k}@`, v);
  const left = /@[A-Z_]+@/.exec(text.replaceAll(/@(PREFIX|DATA|USER)@/g, ''));
  if (left) throw new Error(`${from}: placeholder ${left[0]} has no value`);
  if (options.crlf) text = text.replaceAll(/\r?\n/g, '\r\n');
  mkdirSync(dirname(to), { recursive: true });
  writeFileSync(to, text);
  if (options.mode !== undefined) chmodSync(to, options.mode);
}
