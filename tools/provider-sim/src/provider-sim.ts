/**
 * An OSMP provider, as shared/specs/osmp-provider-protocol.md describes it: `check` and `pay` over
 * HTTP GET or form POST, XML answers with `result` codes, and the provider's side of idempotency —
 * a repeated `pay` with a known `txn_id` returns the stored outcome and the same `prv_txn`, never a
 * second credit. Several providers can live on one simulator (/p/<CODE>/payment_app.cgi).
 *
 * Behaviours per account or at random rates: temporary errors, "not finished yet" (90), slow and
 * timed-out answers, fatal codes. The ledger of what was credited is readable, so a test can compare
 * what the provider credited with what the server believes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Behaviour =
  | { kind: 'ok' }
  /** Answers result 1 (temporary) for the next `times` pay requests of this account, then works. */
  | { kind: 'temporary'; times: number }
  /** Answers 90 (payment not finished) for the next `times` requests, then credits. */
  | { kind: 'pending'; times: number }
  /** A fatal result code (5 account not found, 7 forbidden, 79 inactive…). */
  | { kind: 'fatal'; code: number; comment?: string }
  /** Waits this long before answering. */
  | { kind: 'slow'; ms: number }
  /** Credits, but never answers the first `times` requests (the caller times out). */
  | { kind: 'lose_answer'; times: number };

export interface SimAccount {
  account: string;
  name?: string;
  balanceKop?: number;
  behaviour?: Behaviour;
}

export interface SimProvider {
  code: string;
  /** Regex the account must match (after the provider's own normalisation). */
  mask: string;
  minKop?: number;
  maxKop?: number;
  /** When set, any account matching the mask exists (with a generated name); else only listed ones. */
  openAccounts?: boolean;
  accounts?: SimAccount[];
}

export interface RandomFaults {
  /** Probability per pay request of a temporary error (result 1). */
  temporary?: number;
  /** Probability of answering 90 (not finished) first. */
  pending?: number;
  /** Probability of a slow answer, and how slow. */
  slow?: number;
  slowMs?: number;
  /** Probability of crediting but never answering. */
  loseAnswer?: number;
}

export interface SimConfig {
  providers: SimProvider[];
  faults?: RandomFaults;
  /** Seed for the random faults, so a run can be replayed. */
  seed?: number;
  basicAuth?: { user: string; password: string };
}

export interface LedgerEntry {
  provider: string;
  txnId: string;
  prvTxn: string;
  account: string;
  sumKop: number;
  txnDate: string;
  creditedAt: string;
}

interface StoredTxn {
  account: string;
  sumKop: number;
  result: number;
  prvTxn: string | null;
  comment: string;
}

export interface ProviderSim {
  url: string;
  port: number;
  ledger(provider?: string): LedgerEntry[];
  /** Requests seen, by command. */
  stats(): { check: number; pay: number; duplicates: number; temporary: number; lost: number; fatal: number };
  setFaults(faults: RandomFaults): void;
  setBehaviour(provider: string, account: string, behaviour: Behaviour): void;
  /** The provider's registry of a day: what a provider would send for reconciliation. */
  registry(provider: string, date?: string): string;
  stop(): Promise<void>;
}

/** A small seeded PRNG (mulberry32): the same seed replays the same faults. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function xml(fields: Record<string, string | number | undefined>): string {
  const esc = (v: string): string => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const body = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `  <${k}>${esc(String(v))}</${k}>`)
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<response>\n${body}\n</response>\n`;
}

/** "10.45" → 1045; null when it is not a sum with a dot and two decimals. */
function sumToKop(text: string): number | null {
  const m = /^(\d{1,12})\.(\d{2})$/.exec(text);
  return m ? Number(m[1]) * 100 + Number(m[2]) : null;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startProviderSim(config: SimConfig, port = 0, host = '127.0.0.1'): Promise<ProviderSim> {
  const providers = new Map(config.providers.map((p) => [p.code, p]));
  const behaviours = new Map<string, Behaviour>();
  for (const p of config.providers)
    for (const a of p.accounts ?? []) if (a.behaviour) behaviours.set(`${p.code}:${a.account}`, { ...a.behaviour });
  const txns = new Map<string, StoredTxn>();
  const ledger: LedgerEntry[] = [];
  let faults: RandomFaults = config.faults ?? {};
  const random = prng(config.seed ?? 1);
  const inFlight = new Set<string>();
  const stats = { check: 0, pay: 0, duplicates: 0, temporary: 0, lost: 0, fatal: 0 };
  let prvSeq = 1000;

  const findAccount = (p: SimProvider, account: string): SimAccount | null => {
    const listed = p.accounts?.find((a) => a.account === account);
    if (listed) return listed;
    if (p.openAccounts && new RegExp(p.mask).test(account)) return { account, name: `Абонент ${account.slice(-4)}`, balanceKop: 0 };
    return null;
  };

  const behaviourOf = (p: SimProvider, account: string): Behaviour | undefined => {
    const key = `${p.code}:${account}`;
    const b = behaviours.get(key);
    if (!b) return undefined;
    if ((b.kind === 'temporary' || b.kind === 'pending' || b.kind === 'lose_answer') && b.times <= 0) return undefined;
    return b;
  };

  const consume = (p: SimProvider, account: string): void => {
    const b = behaviours.get(`${p.code}:${account}`);
    if (b && (b.kind === 'temporary' || b.kind === 'pending' || b.kind === 'lose_answer')) b.times--;
  };

  async function handle(p: SimProvider, q: URLSearchParams, res: ServerResponse): Promise<void> {
    const command = q.get('command');
    const txnId = q.get('txn_id') ?? '';
    const account = q.get('account') ?? '';
    const sumText = q.get('sum') ?? '';
    const send = (fields: Record<string, string | number | undefined>): void => {
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(xml(fields));
    };
    if (command !== 'check' && command !== 'pay') return send({ osmp_txn_id: txnId, result: 300, comment: 'Неизвестная команда' });
    if (!/^\d{1,20}$/.test(txnId)) return send({ osmp_txn_id: txnId, result: 300, comment: 'Неверный txn_id' });
    const sumKop = sumToKop(sumText);
    if (sumKop === null) return send({ osmp_txn_id: txnId, result: 300, comment: 'Неверная сумма' });

    if (command === 'check') {
      stats.check++;
      if (!new RegExp(p.mask).test(account)) return send({ osmp_txn_id: txnId, result: 4, comment: 'Неверный формат счёта' });
      const a = findAccount(p, account);
      if (!a) return send({ osmp_txn_id: txnId, result: 5, comment: 'Счёт не найден' });
      const b = behaviourOf(p, account);
      if (b?.kind === 'fatal') return send({ osmp_txn_id: txnId, result: b.code, comment: b.comment ?? 'Платёж запрещён' });
      return send({
        osmp_txn_id: txnId,
        result: 0,
        comment: 'OK',
        fio: a.name,
        balance: a.balanceKop !== undefined ? (a.balanceKop / 100).toFixed(2) : undefined,
      });
    }

    stats.pay++;
    const key = `${p.code}:${txnId}`;
    // A resend while the first request is still being processed must not credit a second time.
    if (inFlight.has(key)) return send({ osmp_txn_id: txnId, result: 90, comment: 'Проведение платежа не окончено' });
    const stored = txns.get(key);
    if (stored) {
      if (stored.account !== account || stored.sumKop !== sumKop) {
        // The same txn_id with other parameters is the agent's bug: surfaced, never credited.
        return send({ osmp_txn_id: txnId, result: 300, comment: 'txn_id уже использован с другими счётом или суммой' });
      }
      if (stored.result === 0) {
        stats.duplicates++;
        if (behaviourOf(p, account)?.kind === 'lose_answer') return loseAnswer(p, account, res);
        return send({ osmp_txn_id: txnId, prv_txn: stored.prvTxn ?? '', sum: sumText, result: 0, comment: 'Платёж уже проведён' });
      }
      if (stored.result !== 1 && stored.result !== 90) return send({ osmp_txn_id: txnId, result: stored.result, comment: stored.comment });
    }
    if (!new RegExp(p.mask).test(account))
      return store(key, { account, sumKop, result: 4, prvTxn: null, comment: 'Неверный формат счёта' }, txnId, send);
    const a = findAccount(p, account);
    if (!a) return store(key, { account, sumKop, result: 5, prvTxn: null, comment: 'Счёт не найден' }, txnId, send);
    if (p.minKop !== undefined && sumKop < p.minKop)
      return store(key, { account, sumKop, result: 241, prvTxn: null, comment: 'Сумма слишком мала' }, txnId, send);
    if (p.maxKop !== undefined && sumKop > p.maxKop)
      return store(key, { account, sumKop, result: 242, prvTxn: null, comment: 'Сумма слишком велика' }, txnId, send);

    const b = behaviourOf(p, account);
    if (b?.kind === 'fatal') {
      stats.fatal++;
      return store(key, { account, sumKop, result: b.code, prvTxn: null, comment: b.comment ?? 'Платёж запрещён' }, txnId, send);
    }
    const delayMs = b?.kind === 'slow' ? b.ms : faults.slow && random() < faults.slow ? (faults.slowMs ?? 3000) : 0;
    if (delayMs > 0) {
      inFlight.add(key);
      await new Promise((r) => setTimeout(r, delayMs));
      inFlight.delete(key);
    }
    if (b?.kind === 'temporary' || (!b && faults.temporary && random() < faults.temporary)) {
      if (b) consume(p, account);
      stats.temporary++;
      txns.set(key, { account, sumKop, result: 1, prvTxn: null, comment: 'Временная ошибка' });
      return send({ osmp_txn_id: txnId, result: 1, comment: 'Временная ошибка, повторите позже' });
    }
    if (b?.kind === 'pending' || (!b && faults.pending && random() < faults.pending)) {
      if (b) consume(p, account);
      txns.set(key, { account, sumKop, result: 90, prvTxn: null, comment: 'Проведение платежа не окончено' });
      return send({ osmp_txn_id: txnId, result: 90, comment: 'Проведение платежа не окончено' });
    }
    // Credit exactly once.
    const prvTxn = String(++prvSeq);
    txns.set(key, { account, sumKop, result: 0, prvTxn, comment: 'OK' });
    ledger.push({
      provider: p.code,
      txnId,
      prvTxn,
      account,
      sumKop,
      txnDate: q.get('txn_date') ?? '',
      creditedAt: new Date().toISOString(),
    });
    if (a.balanceKop !== undefined) a.balanceKop += sumKop;
    if (b?.kind === 'lose_answer' || (!b && faults.loseAnswer && random() < faults.loseAnswer)) return loseAnswer(p, account, res);
    return send({ osmp_txn_id: txnId, prv_txn: prvTxn, sum: sumText, result: 0, comment: 'OK' });
  }

  function loseAnswer(p: SimProvider, account: string, res: ServerResponse): void {
    if (behaviourOf(p, account)) consume(p, account);
    stats.lost++;
    res.socket?.destroy();
  }

  function store(key: string, t: StoredTxn, txnId: string, send: (f: Record<string, string | number | undefined>) => void): void {
    txns.set(key, t);
    send({ osmp_txn_id: txnId, result: t.result, comment: t.comment });
  }

  const registry = (provider: string, date?: string): string => {
    const rows = ledger.filter(
      (l) => l.provider === provider && (!date || l.creditedAt.slice(0, 10) === date || l.txnDate.startsWith(date.replace(/-/g, ''))),
    );
    return `txn_id;prv_txn;account;sum;txn_date\n${rows.map((r) => `${r.txnId};${r.prvTxn};${r.account};${(r.sumKop / 100).toFixed(2)};${r.txnDate}`).join('\n')}${rows.length ? '\n' : ''}`;
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (config.basicAuth) {
        const expected = `Basic ${Buffer.from(`${config.basicAuth.user}:${config.basicAuth.password}`).toString('base64')}`;
        if (req.headers.authorization !== expected) {
          res.writeHead(401).end();
          return;
        }
      }
      if (url.pathname === '/health') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', providers: [...providers.keys()] }));
        return;
      }
      if (url.pathname === '/ledger') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            items: ledger.filter((l) => !url.searchParams.get('provider') || l.provider === url.searchParams.get('provider')),
            stats,
          }),
        );
        return;
      }
      const reg = /^\/p\/([^/]+)\/registry$/.exec(url.pathname);
      if (reg) {
        res
          .writeHead(200, { 'content-type': 'text/csv; charset=utf-8' })
          .end(registry(decodeURIComponent(reg[1] ?? ''), url.searchParams.get('date') ?? undefined));
        return;
      }
      if (url.pathname === '/control' && req.method === 'POST') {
        const body = JSON.parse((await readBody(req)) || '{}') as {
          faults?: RandomFaults;
          behaviour?: { provider: string; account: string; behaviour: Behaviour };
        };
        if (body.faults) faults = body.faults;
        if (body.behaviour) behaviours.set(`${body.behaviour.provider}:${body.behaviour.account}`, body.behaviour.behaviour);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
        return;
      }
      const m = /^\/p\/([^/]+)\/payment_app\.cgi$/.exec(url.pathname);
      const p = m ? providers.get(decodeURIComponent(m[1] ?? '')) : undefined;
      if (!p) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('no such provider');
        return;
      }
      const params = req.method === 'POST' ? new URLSearchParams(await readBody(req)) : url.searchParams;
      await handle(p, params, res);
    })().catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(e));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    ledger: (provider) => ledger.filter((l) => !provider || l.provider === provider),
    stats: () => ({ ...stats }),
    setFaults: (f) => {
      faults = f;
    },
    setBehaviour: (provider, account, behaviour) => behaviours.set(`${provider}:${account}`, behaviour),
    registry,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
