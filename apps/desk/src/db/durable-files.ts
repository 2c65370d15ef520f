/**
 * Files the desk must find whole after a power cut (its key, a backup): written and flushed to the disk,
 * and the folder flushed after a rename, so the new name survives too.
 */
import { chmodSync, closeSync, fsyncSync, openSync, statSync, writeFileSync } from 'node:fs';

/** Flushes a file, or a folder's entries (POSIX; Windows opens no folder as a file and NTFS keeps its own). */
export function syncPath(path: string): void {
  if (process.platform === 'win32' && statSync(path).isDirectory()) return;
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes `text` readable by the desk's user only and flushes it before returning. */
export function writeDurably(file: string, text: string): void {
  const fd = openSync(file, 'w', 0o600);
  try {
    writeFileSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(file, 0o600);
}
