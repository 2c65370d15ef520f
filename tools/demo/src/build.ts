/** Builds the two UIs when their built files are missing or older than their sources. */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const UIS = ['desk-ui', 'admin-ui'];

function newest(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((f) => newest(join(path, f))));
}

export function staleUis(): string[] {
  return UIS.filter((ui) => {
    const dir = join(ROOT, 'apps', ui);
    const built = join(dir, 'dist', 'index.html');
    if (!existsSync(built)) return true;
    const sources = Math.max(newest(join(dir, 'src')), newest(join(dir, 'index.html')), newest(join(ROOT, 'packages', 'domain', 'src')));
    return sources > statSync(built).mtimeMs;
  });
}

export function buildIfStale(log: (line: string) => void): void {
  const stale = staleUis();
  if (stale.length === 0) return;
  log(`Сборка интерфейсов: ${stale.join(', ')}…`);
  const r = spawnSync('npm', ['run', 'build', ...stale.flatMap((ui) => ['-w', `@paydesk/${ui}`])], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    shell: process.platform === 'win32',
  });
  if (r.status !== 0) throw new Error('сборка интерфейсов не удалась (см. сообщения выше)');
}
