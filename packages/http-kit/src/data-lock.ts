/**
 * One process per data folder: a second server on the same PGlite folder, or a second desk on the
 * same journal, would corrupt it. A lock file with the owner's pid keeps the second one out.
 */
import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class DataFolderBusy extends Error {}

export function lockDataFolder(
  dir: string,
  busyMessage = (pid: number): string => `Папка данных ${dir} занята процессом ${pid}`,
): () => void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'paydesk.lock');
  if (existsSync(file)) {
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (Number.isInteger(pid) && pid !== process.pid && alive(pid)) {
      throw new DataFolderBusy(busyMessage(pid));
    }
  }
  writeFileSync(file, String(process.pid));
  return () => {
    try {
      if (readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file);
    } catch {
      // Already gone: nothing to release.
    }
  };
}
