/**
 * Issue 20 item 3: `npm run release` builds the three archives; the Linux ones, unpacked into a
 * temporary folder, run a server and a desk with PATH limited to /usr/bin:/bin — their own Node, their
 * own packages, no TypeScript — through enrollment and a payment that reaches the server. The Windows
 * archive cannot run here: its contents are checked against the Linux desk's.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, win32 } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Api, seed } from '@paydesk/demo';
import { freePort, startProcess, waitForHttp, type Proc } from '@paydesk/testkit';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { DeskApi, removeDir } from '../stack.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const NO_NODE_PATH = '/usr/bin:/bin';

let work: string;
let out: string;
const procs: Proc[] = [];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'paydesk-release-'));
  out = join(work, 'out');
  // The UIs were built by the test run's global setup.
  execFileSync(process.execPath, [join(ROOT, 'tools/release/bin/release.mjs'), '--out', out, '--skip-ui-build'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}, 600_000);

afterAll(async () => {
  for (const p of procs) await p.kill('SIGKILL');
  removeDir(work);
});

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

function unpack(archive: string): string {
  const into = join(work, archive.replace(/\.tar\.gz$/, ''));
  mkdirSync(into, { recursive: true });
  execFileSync('/bin/tar', ['xzf', join(out, archive), '-C', into]);
  return join(into, archive.replace(/\.tar\.gz$/, ''));
}

/** Every entry of a zip: its name, mode and bytes. */
async function readZip(file: string): Promise<Map<string, { mode: number; bytes: Buffer }>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true }, (err, z) => (err ? reject(err) : resolve(z))),
  );
  const entries = new Map<string, { mode: number; bytes: Buffer }>();
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          entries.set(entry.fileName, { mode: (entry.externalFileAttributes >>> 16) & 0o777, bytes: Buffer.concat(chunks) });
          zip.readEntry();
        });
        stream.on('error', reject);
      });
    });
    zip.on('end', () => resolve());
    zip.on('error', reject);
    zip.readEntry();
  });
  return entries;
}

function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

describe('npm run release', () => {
  it('builds the three archives named by version and platform, with SHA256SUMS of them', () => {
    const names = [
      `paydesk-server-${VERSION}-linux-x64.tar.gz`,
      `paydesk-desk-${VERSION}-linux-x64.tar.gz`,
      `paydesk-desk-${VERSION}-win-x64.zip`,
    ];
    expect(readdirSync(out).sort()).toEqual(['SHA256SUMS', ...names].sort());
    const sums = readFileSync(join(out, 'SHA256SUMS'), 'utf8').trim().split('\n');
    expect(sums.map((l) => l.split('  ')[1]).sort()).toEqual([...names].sort());
    for (const line of sums) {
      const [hash, name] = line.split('  ') as [string, string];
      expect(sha256(readFileSync(join(out, name))), name).toBe(hash);
    }
  });

  it('the Linux archives run a server and a desk with no system Node: enroll, a payment, the server has it, a stop', async () => {
    const serverDir = unpack(`paydesk-server-${VERSION}-linux-x64.tar.gz`);
    const deskDir = unpack(`paydesk-desk-${VERSION}-linux-x64.tar.gz`);
    for (const dir of [serverDir, deskDir]) {
      // No TypeScript at run time, and every file is the one SHA256SUMS names.
      expect(filesUnder(join(dir, 'app')).filter((f) => /\.[cm]?tsx?$/.test(f))).toEqual([]);
      execFileSync('/usr/bin/sha256sum', ['--quiet', '--strict', '-c', 'SHA256SUMS'], { cwd: dir });
    }
    const env = { PATH: NO_NODE_PATH, NODE_OPTIONS: '', PAYDESK_LOG_LEVEL: 'warn' };
    const password = 'release-test-password-1';
    const serverPort = await freePort();
    const server = startProcess(join(serverDir, 'bin/paydesk-server'), ['serve', '--port', String(serverPort)], {
      env: { ...env, PAYDESK_DATA_DIR: join(work, 'server-data'), PAYDESK_ADMIN_PASSWORD: password },
    });
    procs.push(server);
    const serverUrl = `http://127.0.0.1:${serverPort}`;
    await waitForHttp(`${serverUrl}/health`, server, 120_000);
    // The process is the archive's own Node, not the system's.
    expect(readlinkSync(`/proc/${String(server.child.pid)}/exe`)).toBe(join(serverDir, 'runtime/node'));
    const admin = await fetch(`${serverUrl}/admin/`);
    expect(admin.status).toBe(200);
    expect(await admin.text()).toContain('<div id="root">');

    const api = new Api(serverUrl);
    await api.login('admin', password);
    const town = await seed(api, { simUrl: 'http://127.0.0.1:9', dataDir: join(work, 'seed'), log: () => undefined, townSize: 40 });
    const account = town.accountsCsv.split('\n')[1]?.split(';')[0] ?? '';
    const { enrollmentCode } = await api.call<{ enrollmentCode: string }>('POST', '/api/v1/desks', { name: 'Касса из архива' });

    const deskData = join(work, 'desk-data');
    execFileSync(join(deskDir, 'bin/paydesk-desk'), ['enroll', '--server', serverUrl, '--code', enrollmentCode, '--data', deskData], {
      env: { ...env, HOME: work },
      stdio: 'pipe',
    });
    expect(statSync(join(deskData, 'desk.key')).mode & 0o777).toBe(0o600);
    const deskPort = await freePort();
    const deskProc = startProcess(join(deskDir, 'bin/paydesk-desk'), ['serve', '--port', String(deskPort), '--data', deskData], { env });
    procs.push(deskProc);
    const deskUrl = `http://127.0.0.1:${deskPort}`;
    await waitForHttp(`${deskUrl}/api/status`, deskProc, 120_000);
    expect(readlinkSync(`/proc/${String(deskProc.child.pid)}/exe`)).toBe(join(deskDir, 'runtime/node'));
    expect(await (await fetch(deskUrl)).text()).toContain('<div id="root">');

    const desk = new DeskApi(deskUrl);
    await desk.waitFor('the first pull', (s) => s.reference.loaded && s.online, 60_000);
    await desk.login();
    await desk.ok('POST', '/api/shift/open', { openingFloatKop: 100_000 });
    const opId = uuidv7();
    const paid = await desk.ok<{ state: string; totalKop: number }>('POST', '/api/payments', {
      opId,
      kind: 'billing',
      accountNumber: account,
      amountKop: 12_345,
      method: 'cash',
    });
    expect(paid.state).toBe('done');
    await desk.waitFor('the push', (s) => s.unsentCount === 0, 60_000);
    const onServer = await api.call<{ items: { opId: string; totalKop: number }[] }>('GET', '/api/v1/payments?limit=50');
    expect(onServer.items.filter((p) => p.opId === opId).map((p) => p.totalKop)).toEqual([paid.totalKop]);
    // A PDF report: the fonts travel with the packages.
    const pdf = await fetch(`${deskUrl}/api/reports/shift?shift=1&format=pdf`, {
      headers: { authorization: `Bearer ${desk.token ?? ''}` },
    });
    expect(pdf.status).toBe(200);
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');

    // A stop is a clean exit for both.
    expect(await deskProc.kill('SIGTERM')).toBe(0);
    expect(await server.kill('SIGTERM')).toBe(0);
  }, 300_000);

  it('install.sh puts a version in its own folder, points the service at it and makes the data folder owner-only', () => {
    const deskDir = join(work, `paydesk-desk-${VERSION}-linux-x64`, `paydesk-desk-${VERSION}-linux-x64`);
    if (!existsSync(deskDir)) unpack(`paydesk-desk-${VERSION}-linux-x64.tar.gz`);
    const root = join(work, 'install-root');
    const data = join(work, 'desk-data');
    mkdirSync(data, { recursive: true });
    const user = execFileSync('/usr/bin/id', ['-un'], { encoding: 'utf8' }).trim();
    const said = execFileSync(join(deskDir, 'install.sh'), [], {
      env: { PATH: NO_NODE_PATH, ROOT: root, SERVICE_USER: user, DATA: data },
      encoding: 'utf8',
    });
    expect(said).toContain(`paydesk-desk ${VERSION} установлен`);
    expect(readlinkSync(join(root, 'opt/paydesk/paydesk-desk'))).toBe(`paydesk-desk-${VERSION}`);
    expect(existsSync(join(root, `opt/paydesk/paydesk-desk-${VERSION}/runtime/node`))).toBe(true);
    expect(statSync(join(root, data)).mode & 0o777).toBe(0o700);
    const settings = join(root, 'etc/paydesk/paydesk-desk.env');
    expect(statSync(settings).mode & 0o777).toBe(0o640);
    expect(readFileSync(settings, 'utf8')).toContain(`PAYDESK_DESK_DATA=${data}`);
    const unit = readFileSync(join(root, 'etc/systemd/system/paydesk-desk.service'), 'utf8');
    expect(unit).toContain(`ExecStart=/opt/paydesk/paydesk-desk/bin/paydesk-desk serve --data ${data}`);
    expect(unit).toContain(`User=${user}`);
    expect(unit).toContain(`ReadWritePaths=${data}`);
    expect(unit).not.toMatch(/@[A-Z]+@/);
    // A command run by hand sees the service's settings: the backup finds the data folder without --data.
    const backupDir = join(work, 'backup-by-hand');
    execFileSync(join(root, 'opt/paydesk/paydesk-desk/bin/paydesk-desk'), ['backup', '--out', backupDir], {
      env: { PATH: NO_NODE_PATH, PAYDESK_SETTINGS: settings },
    });
    expect(readdirSync(backupDir)).toEqual(expect.arrayContaining(['journal.sqlite', 'desk.key', 'backup.json']));
  });

  it('install.sh refuses, before writing anything, a changed file, an added file and a path a unit cannot hold', () => {
    const original = join(work, `paydesk-desk-${VERSION}-linux-x64`, `paydesk-desk-${VERSION}-linux-x64`);
    const user = execFileSync('/usr/bin/id', ['-un'], { encoding: 'utf8' }).trim();
    const attempt = (
      name: string,
      change: (copy: string) => void,
      env: Record<string, string> = {},
    ): { status: number; stderr: string } => {
      const copy = join(work, name);
      execFileSync('/bin/cp', ['-a', original, copy]);
      change(copy);
      try {
        execFileSync(join(copy, 'install.sh'), [], {
          env: { PATH: NO_NODE_PATH, ROOT: join(work, `${name}-root`), SERVICE_USER: user, ...env },
          stdio: 'pipe',
        });
        return { status: 0, stderr: '' };
      } catch (e) {
        return { status: (e as { status: number }).status, stderr: String((e as { stderr: Buffer }).stderr) };
      } finally {
        expect(existsSync(join(work, `${name}-root`, 'opt')), name).toBe(false);
        expect(existsSync(join(work, `${name}-root`, 'etc')), name).toBe(false);
      }
    };
    const changed = attempt('changed', (c) => execFileSync('/bin/sh', ['-c', `echo '// changed' >> "${join(c, 'app/paydesk-desk.mjs')}"`]));
    expect(changed).toMatchObject({ status: 1, stderr: expect.stringContaining('SHA256SUMS') });
    // An added module would be loaded by a package that tries it and run as the service.
    const added = attempt('added', (c) => {
      mkdirSync(join(c, 'app/node_modules/supports-color'), { recursive: true });
      execFileSync('/bin/sh', ['-c', `echo 'console.log(1)' > "${join(c, 'app/node_modules/supports-color/index.js')}"`]);
    });
    expect(added).toMatchObject({ status: 1, stderr: expect.stringContaining('supports-color') });
    for (const [name, data] of [
      ['spaces', '/srv/cash desk'],
      ['ampersand', '/srv/cash&co'],
      ['hash', '/srv/a#b'],
      ['relative', 'var/lib/desk'],
    ] as const) {
      const r = attempt(name, () => undefined, { DATA: data });
      expect(r.status, name).toBe(1);
      expect(r.stderr, name).toMatch(/путь|Путь|пути/);
    }
  });

  it('the Windows archive holds a Windows Node, the service wrapper and every file the Linux desk runs with', async () => {
    const zip = await readZip(join(out, `paydesk-desk-${VERSION}-win-x64.zip`));
    const top = `paydesk-desk-${VERSION}-win-x64/`;
    const get = (name: string): Buffer => {
      const e = zip.get(top + name);
      if (!e) throw new Error(`${name} is not in the zip`);
      return e.bytes;
    };
    /** A PE executable: MZ, then the PE signature where the DOS header points; its machine x64 (0x8664). */
    const isPe64 = (b: Buffer): boolean => {
      if (b.subarray(0, 2).toString() !== 'MZ') return false;
      const pe = b.readUInt32LE(0x3c);
      return b.subarray(pe, pe + 4).equals(Buffer.from('PE\0\0')) && b.readUInt16LE(pe + 4) === 0x8664;
    };
    expect(isPe64(get('runtime/node.exe'))).toBe(true);
    expect(get('service/PaydeskDesk.exe').subarray(0, 2).toString()).toBe('MZ');
    const argon = [...zip.keys()].filter((k) => k.endsWith('.node'));
    expect(argon.some((k) => k.includes('argon2-win32-x64-msvc'))).toBe(true);
    expect(argon.filter((k) => k.includes('linux'))).toEqual([]);
    for (const bin of argon) expect(isPe64(get(bin.slice(top.length))), bin).toBe(true);

    // Every file of the Linux desk's app, but another platform's native builds, is in the Windows one.
    const linux = join(work, `paydesk-desk-${VERSION}-linux-x64`, `paydesk-desk-${VERSION}-linux-x64`);
    const linuxApp = filesUnder(join(linux, 'app')).filter((f) => !/-linux-x64-(gnu|musl)\//.test(f));
    const missing = linuxApp.filter((f) => !zip.has(`${top}app/${f}`));
    expect(missing).toEqual([]);
    expect(filesUnder(join(linux, 'ui')).filter((f) => !zip.has(`${top}ui/${f}`))).toEqual([]);

    // cmd and XML files in Windows's line endings, and they name files that are there.
    for (const name of ['install.cmd', 'uninstall.cmd', 'paydesk-desk.cmd', 'service/PaydeskDesk.xml']) {
      const text = get(name).toString('utf8');
      expect(
        text.split('\n').every((l, i, all) => i === all.length - 1 || l.endsWith('\r')),
        name,
      ).toBe(true);
      expect(text, name).not.toMatch(/@[A-Z_]+@/);
    }
    // The wrapper is WinSW 1.17 (its version resource says so), in which %BASE% is the wrapper's own path:
    // expanded the way it does and resolved the way Windows does, every path the XML names is in the zip.
    const wrapper = get('service/PaydeskDesk.exe');
    expect(wrapper.includes(Buffer.from('FileVersion', 'utf16le'))).toBe(true);
    expect(wrapper.includes(Buffer.from('1.17.0.0', 'utf16le'))).toBe(true);
    const xml = get('service/PaydeskDesk.xml').toString('utf8');
    // WinSW 1.17 reads <stoptimeout> and friends from the document's first node: <service>, not a comment.
    expect(xml.trimStart().startsWith('<service>')).toBe(true);
    const installedAt = 'C:\\Program Files\\Paydesk';
    const expand = (v: string): string =>
      win32.resolve(v.replaceAll('%BASE%', `${installedAt}\\service\\PaydeskDesk.exe`).replaceAll('%ProgramData%', 'C:\\ProgramData'));
    const named = [
      /<executable>([^<]+)<\/executable>/.exec(xml)?.[1],
      /"(%BASE%[^"]+\.mjs)"/.exec(xml)?.[1],
      /name="PAYDESK_DESK_UI_DIR" value="([^"]+)"/.exec(xml)?.[1],
    ];
    expect(named.map((p) => (p ? win32.relative(installedAt, expand(p)).replaceAll('\\', '/') : null))).toEqual([
      'runtime/node.exe',
      'app/paydesk-desk.mjs',
      'ui',
    ]);
    expect(zip.has(`${top}runtime/node.exe`) && zip.has(`${top}app/paydesk-desk.mjs`) && zip.has(`${top}ui/index.html`)).toBe(true);
    expect(xml).toContain('serve --data "%ProgramData%\\Paydesk"');
    const install = get('install.cmd').toString('utf8');
    // Checked against SHA256SUMS first; the program made read-only to everyone but administrators; the data the service's.
    expect(install.indexOf('verify.ps1')).toBeGreaterThan(0);
    expect(install.indexOf('verify.ps1')).toBeLessThan(install.indexOf('icacls'));
    expect(install).toContain('icacls "%HERE%." /inheritance:r');
    expect(install).toContain('"*S-1-5-32-545:(OI)(CI)RX"');
    expect(install).toContain('icacls "%DATA%" /inheritance:r');
    expect(install).toContain('PaydeskDesk.exe" install');
    expect(get('verify.ps1').toString('utf8')).toContain('Get-FileHash -Algorithm SHA256');
    expect(get('uninstall.cmd').toString('utf8')).toContain('PaydeskDesk.exe" uninstall');

    // SHA256SUMS inside names every file with its hash.
    const sums = get('SHA256SUMS').toString('utf8').trim().split('\n');
    expect(sums.length).toBe(zip.size - 1);
    for (const line of sums) {
      const [hash, name] = line.split('  ') as [string, string];
      expect(sha256(get(name)), name).toBe(hash);
    }
  });
});
