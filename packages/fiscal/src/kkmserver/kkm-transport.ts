/** POST /Execute to KKMServer, and GetRezult, which takes no slot in KKMServer's command memory. */
import { FiscalError } from '../port.ts';
import { basicAuth, httpJson, TransportError } from '../http-json.ts';
import type { KkmAnswer, KkmCommand } from './kkm-mapping.ts';

export const KKM_STATUS = { Ok: 0, Run: 1, Error: 2, NotFound: 3, NotRun: 4, AlreadyDone: 5 } as const;

/** GetRezult found nothing: KKMServer forgot the id (100 newer commands, a restart) or never had it. */
export const FORGOTTEN = Symbol('forgotten');

export class KkmTransport {
  private readonly baseUrl: string;
  private readonly authorization: string | undefined;

  constructor(options: { url: string; user?: string | undefined; password?: string | undefined }) {
    this.baseUrl = options.url;
    this.authorization = basicAuth(options.user, options.password);
  }

  async post(cmd: KkmCommand, timeoutMs: number): Promise<KkmAnswer> {
    const r = await httpJson(
      { baseUrl: this.baseUrl, timeoutMs, ...(this.authorization ? { authorization: this.authorization } : {}) },
      'POST',
      '/Execute',
      cmd,
    );
    if (r.status === 401 || r.status === 403) throw new FiscalError('unavailable', 'KKMServer отказал в доступе', r.status, 'not_done');
    if (r.status !== 200) throw new TransportError(`KKMServer ответил ${r.status}`, false);
    return (r.body ?? {}) as KkmAnswer;
  }

  /** The command's own answer as KKMServer holds it, or FORGOTTEN (`Status: 3`). */
  async rezult(idCommand: string, timeoutMs: number): Promise<KkmAnswer | typeof FORGOTTEN> {
    const a = await this.post({ Command: 'GetRezult', IdCommand: idCommand }, timeoutMs);
    if (a.Status === KKM_STATUS.NotFound || a.Rezult?.Status === KKM_STATUS.NotFound) return FORGOTTEN;
    if (a.Status !== KKM_STATUS.Ok || !a.Rezult) throw new TransportError(`GetRezult: ${a.Error ?? 'нет ответа'}`, false);
    return a.Rezult;
  }

  /** The device's row in `List`: answered by KKMServer itself, from what it last read; takes no slot. */
  async listRow(numDevice: number, timeoutMs: number): Promise<Record<string, unknown> | null> {
    const a = await this.post({ Command: 'List', NumDevice: numDevice }, timeoutMs);
    const rows = Array.isArray(a['ListUnit']) ? (a['ListUnit'] as Record<string, unknown>[]) : [];
    if (numDevice !== 0) return rows.find((r) => r['NumDevice'] === numDevice) ?? null;
    return rows.find((r) => r['IsRegisterCheck'] !== false && r['OnOff'] !== false) ?? null;
  }
}
