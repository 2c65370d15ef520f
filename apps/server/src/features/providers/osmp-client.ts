/**
 * Our side of the OSMP protocol (shared/specs/osmp-provider-protocol.md): `check` and `pay` as GET
 * requests, the XML answer read, and every failure to get one classified: a provider's answer is
 * final, temporary (1, 90) or fatal; no answer (timeout, HTTP error, unreadable XML) is temporary —
 * the same txn_id is sent again later, which the protocol makes safe.
 */
import { XMLParser } from 'fast-xml-parser';
import { kopToDecimal } from '@paydesk/domain';

export interface OsmpEndpoint {
  url: string;
  user?: string | null;
  password?: string | null;
  timeoutMs: number;
}

export interface OsmpAnswer {
  /** A provider's answer, or 'no_answer' when none could be had. */
  kind: 'ok' | 'temporary' | 'fatal';
  result: number | null;
  comment: string;
  prvTxn?: string;
  subscriberName?: string;
  balanceKop?: number;
}

const TEMPORARY = new Set([1, 90]);

const parser = new XMLParser({ ignoreAttributes: false, parseTagValue: false, trimValues: true });

function field(obj: Record<string, unknown>, name: string): string | undefined {
  const v = obj[name];
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

export function readAnswer(xmlText: string): OsmpAnswer {
  let doc: unknown;
  try {
    doc = parser.parse(xmlText);
  } catch {
    return { kind: 'temporary', result: null, comment: 'ответ поставщика не читается' };
  }
  const r = (doc as { response?: Record<string, unknown> } | null)?.response;
  const resultText = r ? field(r, 'result') : undefined;
  if (!r || resultText === undefined || !/^\d+$/.test(resultText))
    return { kind: 'temporary', result: null, comment: 'в ответе поставщика нет кода результата' };
  const result = Number(resultText);
  // A provider's texts are shown and journaled, never trusted for length or characters.
  const answer: OsmpAnswer = {
    kind: result === 0 ? 'ok' : TEMPORARY.has(result) ? 'temporary' : 'fatal',
    result,
    comment: cleanText(field(r, 'comment') ?? '', 500),
  };
  const prv = field(r, 'prv_txn');
  if (prv) answer.prvTxn = prv;
  const fields = r['fields'] as Record<string, unknown> | undefined;
  const fio =
    field(r, 'fio') ??
    field(r, 'recipient_name') ??
    (fields
      ? Object.values(fields)
          .map((f) => (typeof f === 'object' && f !== null ? (f as Record<string, unknown>)['#text'] : f))
          .find((x): x is string => typeof x === 'string')
      : undefined);
  if (fio) answer.subscriberName = cleanText(fio, 200);
  const balance = field(r, 'balance');
  if (balance && /^-?\d+(\.\d{1,2})?$/.test(balance)) answer.balanceKop = Math.round(Number(balance) * 100);
  return answer;
}

async function request(endpoint: OsmpEndpoint, params: Record<string, string>): Promise<OsmpAnswer> {
  const url = new URL(endpoint.url);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const headers: Record<string, string> = { accept: 'text/xml' };
  if (endpoint.user) headers['authorization'] = `Basic ${Buffer.from(`${endpoint.user}:${endpoint.password ?? ''}`).toString('base64')}`;
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: AbortSignal.timeout(endpoint.timeoutMs) });
  } catch (e) {
    return {
      kind: 'temporary',
      result: null,
      comment: `нет ответа поставщика: ${(e as Error).name === 'TimeoutError' ? 'истекло время ожидания' : (e as Error).message}`,
    };
  }
  if (!response.ok) return { kind: 'temporary', result: null, comment: `поставщик ответил HTTP ${response.status}` };
  let text: string;
  try {
    text = await response.text();
  } catch (e) {
    return { kind: 'temporary', result: null, comment: `ответ поставщика оборван: ${(e as Error).message}` };
  }
  return readAnswer(text);
}

/** `check`: does the account exist, whose is it, what does it owe. */
export function osmpCheck(endpoint: OsmpEndpoint, account: string, amountKop: number): Promise<OsmpAnswer> {
  return request(endpoint, { command: 'check', txn_id: '0', account, sum: kopToDecimal(amountKop) });
}

/** `pay`: always the same txn_id, account, sum and txn_date for one payment. */
export function osmpPay(
  endpoint: OsmpEndpoint,
  p: { txnId: string; txnDate: string; account: string; amountKop: number },
): Promise<OsmpAnswer> {
  return request(endpoint, { command: 'pay', txn_id: p.txnId, txn_date: p.txnDate, account: p.account, sum: kopToDecimal(p.amountKop) });
}

/** Control characters out, an unpaired surrogate out, at most `max` characters. */
function cleanText(text: string, max: number): string {
  const lone = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
  return (
    text
      // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed.
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
      .replace(lone, '\ufffd')
      .slice(0, max)
      .replace(lone, '\ufffd')
  );
}
