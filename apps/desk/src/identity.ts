/**
 * Who this desk is to the server: its id, point, epoch and key, from enrollment. The key lives in a
 * file of its own, readable by the desk's user only; the rest is in the journal's meta table.
 */
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AppError, enrollResponse, type EnrollResponse } from '@paydesk/protocol';
import { syncPath, writeDurably } from './db/durable-files.ts';
import { getMeta, setMeta, type JournalDb } from './db/journal-db.ts';
import { numberPrefix } from './features/journal/journal.ts';
import { rebaseForNewEpoch } from './features/sync/recovery.ts';
import { DeskSettings } from './desk-settings.ts';

const sha256 = (text: string): string => createHash('sha256').update(text.trim()).digest('hex');

export interface Identity {
  deskId: string;
  pointId: string;
  epoch: number;
  name: string;
  serverUrl: string;
  key: string;
}

export class IdentityStore {
  constructor(
    private readonly db: JournalDb,
    private readonly dataDir: string,
  ) {}

  private get keyFile(): string {
    return join(this.dataDir, 'desk.key');
  }

  private get newKeyFile(): string {
    return `${this.keyFile}.new`;
  }

  current(): Identity | null {
    this.finishInterruptedSave();
    const deskId = getMeta(this.db, 'desk_id');
    const serverUrl = getMeta(this.db, 'server_url');
    if (!deskId || !serverUrl || !existsSync(this.keyFile)) return null;
    return {
      deskId,
      pointId: getMeta(this.db, 'point_id') ?? '',
      epoch: Number(getMeta(this.db, 'epoch') ?? '1'),
      name: getMeta(this.db, 'desk_name') ?? '',
      serverUrl,
      key: readFileSync(this.keyFile, 'utf8').trim(),
    };
  }

  /**
   * Stores a new enrollment. On a desk enrolled before (a new epoch), its ops of the resend window
   * (sent or not: the server may have lost them in a restore) go out again numbered from seq 1 of the
   * new epoch; the server recognises those it has by their op ids.
   */
  save(serverUrl: string, e: EnrollResponse): Identity {
    const before = this.current();
    // The key and the identity must agree. The new key waits beside the old one until the journal has
    // taken the identity with the key's hash; only then does it replace the old (finishInterruptedSave
    // completes or drops a save a crash cut in two).
    writeDurably(this.newKeyFile, e.deskKey);
    this.db.transaction(() => {
      setMeta(this.db, 'key_sha256', sha256(e.deskKey));
      setMeta(this.db, 'desk_id', e.deskId);
      setMeta(this.db, 'point_id', e.pointId);
      setMeta(this.db, 'epoch', String(e.epoch));
      setMeta(this.db, 'desk_name', e.name);
      setMeta(this.db, 'server_url', serverUrl.replace(/\/+$/, ''));
      if (!getMeta(this.db, 'number_prefix')) setMeta(this.db, 'number_prefix', numberPrefix(e.name));
      if (before) rebaseForNewEpoch(this.db, new Date(), new DeskSettings(this.db).get('resendWindowDays') ?? 35);
    })();
    renameSync(this.newKeyFile, this.keyFile);
    syncPath(this.dataDir);
    return this.current() as Identity;
  }

  /** A save cut between its two writes: finished when the journal has the new key's hash, else dropped. */
  private finishInterruptedSave(): void {
    if (!existsSync(this.newKeyFile)) return;
    const pending = readFileSync(this.newKeyFile, 'utf8').trim();
    if (pending && getMeta(this.db, 'key_sha256') === sha256(pending)) {
      chmodSync(this.newKeyFile, 0o600);
      renameSync(this.newKeyFile, this.keyFile);
      syncPath(this.dataDir);
    } else rmSync(this.newKeyFile, { force: true });
  }

  setServerUrl(url: string): void {
    setMeta(this.db, 'server_url', url.replace(/\/+$/, ''));
  }
}

/** Enrolls with the server: trades the one-time code for the desk's key. */
/**
 * Enrolls with the server's one-time code. A server that cannot be reached is said as such (the code may
 * be fine); a refusal carries the server's own words; an answer not in the protocol's shape is refused
 * before anything of it is saved.
 */
export async function enrollWithServer(serverUrl: string, code: string, epoch?: number): Promise<EnrollResponse> {
  let r: Response;
  try {
    r = await fetch(new URL('/api/v1/desks/enroll', serverUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ enrollmentCode: code, ...(epoch ? { epoch } : {}) }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (e) {
    throw new AppError(
      'server.unreachable',
      `Сервер ${serverUrl} не отвечает (${(e as Error).message}): проверьте адрес и сеть и повторите — код регистрации не потрачен`,
    );
  }
  const body: unknown = await r.json().catch(() => null);
  if (!r.ok)
    throw new AppError(
      'enroll.code_invalid',
      `Регистрация не удалась: ${(body as { detail?: string } | null)?.detail ?? `сервер ответил ${r.status}`}`,
    );
  const parsed = enrollResponse.safeParse(body);
  if (!parsed.success)
    throw new AppError(
      'server.unreachable',
      `По адресу ${serverUrl} ответил не сервер Paydesk (или несовместимой версии): проверьте адрес`,
    );
  return parsed.data;
}
