/**
 * The desk's HTTP client to the server: push, pull, status reports, the provider check. It tells
 * the sync worker apart what is an answer (the server decided something) from what is a failure of
 * the link (try again later).
 */
import {
  AppError,
  billPaymentsAnswer,
  PROTOCOL_VERSION,
  pullResponse,
  pushResponse,
  type BillPaymentView,
  type PullResponse,
  type PushRequest,
  type PushResponse,
} from '@paydesk/protocol';
import type { Identity } from '../../identity.ts';

export class LinkError extends Error {}

export class ServerAnswer extends Error {
  constructor(
    readonly status: number,
    readonly code: string | null,
    readonly body: Record<string, unknown>,
  ) {
    super(`server answered ${status} ${code ?? ''}`);
  }
}

export class ServerClient {
  private readonly inFlight = new Set<AbortController>();
  /** How far this PC's clock is ahead of the server's (negative: behind), from the last answer's Date header. */
  clockSkewMs: number | null = null;

  constructor(
    private readonly identity: () => Identity | null,
    private readonly timeoutMs = 20_000,
    private readonly probeTimeoutMs = 3_000,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** The server's Date header has a one-second resolution: enough to see a clock hours or years off. */
  private noteServerTime(r: Response): void {
    const header = r.headers.get('date');
    const server = header ? Date.parse(header) : Number.NaN;
    if (!Number.isNaN(server)) this.clockSkewMs = this.clock().getTime() - server;
  }

  private async call(method: 'GET' | 'POST', path: string, body?: unknown, timeoutMs = this.timeoutMs): Promise<unknown> {
    const id = this.identity();
    if (!id) throw new LinkError('касса не зарегистрирована');
    let r: Response;
    const abort = new AbortController();
    this.inFlight.add(abort);
    try {
      r = await fetch(new URL(path, id.serverUrl), {
        method,
        headers: { authorization: `Bearer ${id.key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), abort.signal]),
      });
    } catch (e) {
      this.inFlight.delete(abort);
      throw new LinkError((e as Error).message);
    }
    this.noteServerTime(r);
    let json: Record<string, unknown>;
    try {
      const text = await r.text();
      json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch (e) {
      throw new LinkError(`ответ сервера не прочитан: ${(e as Error).message}`);
    } finally {
      this.inFlight.delete(abort);
    }
    if (r.status >= 500 || r.status === 429) throw new LinkError(`сервер ответил ${r.status}`);
    if (!r.ok) throw new ServerAnswer(r.status, typeof json['code'] === 'string' ? json['code'] : null, json);
    return json;
  }

  /** Gives up every request in flight: the link is known to be dead, waiting for timeouts is pointless. */
  abortAll(): void {
    for (const a of this.inFlight) a.abort(new Error('связь потеряна'));
    this.inFlight.clear();
  }

  async push(req: PushRequest): Promise<PushResponse> {
    const parsed = pushResponse.safeParse(await this.call('POST', '/api/v1/sync/push', req, 30_000));
    if (!parsed.success) throw new LinkError('ответ сервера на отправку не по протоколу');
    return parsed.data;
  }

  /** `held`: what the desk holds acknowledged (epoch and seq), so the server knows it has it all. */
  async pull(cursor: string, limit: number, held?: { epoch: number; acked: number }): Promise<PullResponse> {
    const proof = held ? `&epoch=${held.epoch}&acked=${Math.max(0, held.acked)}` : '';
    const raw = await this.call(
      'GET',
      `/api/v1/sync/pull?cursor=${encodeURIComponent(cursor)}&limit=${limit}&protocol=${PROTOCOL_VERSION}${proof}`,
      undefined,
      30_000,
    );
    const parsed = pullResponse.safeParse(raw);
    if (!parsed.success) throw new LinkError(`ответ сервера на загрузку не по протоколу: ${parsed.error.issues[0]?.path.join('.') ?? ''}`);
    // A server older than the desk answers in its own version: its rows may lack what this desk reads.
    if (parsed.data.protocolVersion !== PROTOCOL_VERSION)
      throw new LinkError(
        `сервер ответил на версии протокола ${parsed.data.protocolVersion}, касса говорит на ${PROTOCOL_VERSION}: обновите сервер`,
      );
    return parsed.data;
  }

  async reportStatus(status: unknown): Promise<void> {
    await this.call('POST', '/api/v1/desks/status', status, 5_000);
  }

  /**
   * The server's check of an administrator without a point (desks hold no hash of theirs): the user, or
   * null for a wrong password; a lock is said as a lock; no link, as no link.
   */
  async checkAdmin(login: string, password: string): Promise<{ id: string } | null> {
    try {
      return (await this.call('POST', '/api/v1/desks/check-admin', { login, password }, 10_000)) as { id: string };
    } catch (e) {
      if (e instanceof ServerAnswer && e.code === 'auth.invalid_credentials') return null;
      if (e instanceof ServerAnswer && e.code === 'auth.user_locked')
        throw new AppError('auth.user_locked', typeof e.body['detail'] === 'string' ? e.body['detail'] : 'Вход заблокирован');
      if (e instanceof ServerAnswer) return null;
      throw new AppError('server.unreachable', 'Администратор без пункта входит на кассе только при связи с сервером');
    }
  }

  /** Payments on a bill taken at any desk, as the server knows them; a short wait, the scan must stay fast. */
  async billPayments(q: {
    account: string;
    period: string | null;
    amountKop: number | null;
  }): Promise<(BillPaymentView & { opId: string })[]> {
    const params = new URLSearchParams({ account: q.account });
    if (q.period) params.set('period', q.period);
    if (q.amountKop) params.set('amountKop', String(q.amountKop));
    const parsed = billPaymentsAnswer.safeParse(
      await this.call('GET', `/api/v1/desks/bill-payments?${params.toString()}`, undefined, 2_000),
    );
    if (!parsed.success) throw new LinkError('ответ сервера о платежах по квитанции не по протоколу');
    return parsed.data.items;
  }

  async providerCheck(
    providerCode: string,
    account: string,
    amountKop: number,
  ): Promise<{ result: number; comment?: string; subscriberName?: string; balanceKop?: number }> {
    return (await this.call('POST', '/api/v1/providers/check', { providerCode, account, amountKop }, 20_000)) as {
      result: number;
      comment?: string;
      subscriberName?: string;
      balanceKop?: number;
    };
  }

  /** Takes a third-party payment out of forwarding for a cash refund (see the server's holds.ts). */
  async holdForwarding(opId: string, holdId: string): Promise<{ state: 'held' | 'failed' | 'none' }> {
    return (await this.call('POST', `/api/v1/forwardings/${opId}/hold`, { holdId }, 10_000)) as { state: 'held' | 'failed' | 'none' };
  }

  async releaseForwarding(opId: string, holdId: string): Promise<{ state: string }> {
    return (await this.call('POST', `/api/v1/forwardings/${opId}/release`, { holdId }, 10_000)) as { state: string };
  }

  async health(): Promise<boolean> {
    const id = this.identity();
    if (!id) return false;
    try {
      const r = await fetch(new URL('/health', id.serverUrl), { signal: AbortSignal.timeout(this.probeTimeoutMs) });
      this.noteServerTime(r);
      return r.ok;
    } catch {
      return false;
    }
  }
}
