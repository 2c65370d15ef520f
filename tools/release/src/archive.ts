/** The archives and their checksums: tar.gz for Linux (modes kept), zip for Windows. */
import { createHash } from 'node:crypto';
import { createWriteStream, lstatSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { finished } from 'node:stream/promises';
import { create } from 'tar';
import yazl from 'yazl';

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Every file under `dir`, as paths relative to it with forward slashes, sorted. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      const st = lstatSync(full);
      if (st.isDirectory()) walk(full);
      else out.push(relative(dir, full).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

/** `SHA256SUMS` in the folder, in sha256sum's format, for every file but itself. */
export function writeChecksums(dir: string, files = listFiles(dir)): void {
  const lines = files.filter((f) => f !== 'SHA256SUMS').map((f) => `${sha256(join(dir, f))}  ${f}`);
  writeFileSync(join(dir, 'SHA256SUMS'), `${lines.join('\n')}\n`);
}

/** Files in sorted order, not the file system's: the same folder gives the same archive on any machine. */
export async function tarGz(parent: string, folder: string, file: string, mtime: Date): Promise<void> {
  const entries = listFiles(join(parent, folder)).map((f) => `${folder}/${f}`);
  await create({ gzip: { level: 9 }, file, cwd: parent, portable: true, mtime }, entries);
}

export async function zip(parent: string, folder: string, file: string, mtime: Date): Promise<void> {
  const z = new yazl.ZipFile();
  const root = join(parent, folder);
  for (const f of listFiles(root)) {
    const mode = lstatSync(join(root, f)).mode;
    z.addFile(join(root, f), `${folder}/${f}`, { mtime, mode });
  }
  z.end();
  const out = createWriteStream(file);
  z.outputStream.pipe(out);
  await finished(out);
}

export { sha256 };
