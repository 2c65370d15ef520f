/**
 * What a route answers, declared once (issue 24 item 9). `answers()` attaches the success schemas of
 * @paydesk/protocol and the route's problem+json errors with their codes to the route's `response`;
 * the OpenAPI document at /api/docs shows both with examples. Every answer of a declared success
 * status is checked against its schema as it is serialized: a route that answers something else fails
 * loudly (500) instead of handing an integrator a shape the document does not describe. A schema
 * describes, it never filters: what the handler returns is what is sent, so a field is left out in the
 * handler, not by a schema. Error answers are documented here and made by the one error mapper.
 */
import type { FastifySerializerCompiler } from 'fastify';
import { z } from 'zod';
import { ERRORS, problem, type ErrorCode } from '@paydesk/protocol';

/** Every guarded route can answer these: no or a bad token, a revoked or expired key, a locked user, not allowed. */
const GUARDED: readonly ErrorCode[] = ['auth.required', 'auth.key_revoked', 'auth.key_expired', 'auth.forbidden', 'auth.user_locked'];

const EXAMPLE_DETAIL: Partial<Record<ErrorCode, string>> = {
  'validation.failed': 'Неверные данные запроса: querystring.after — Слишком маленькое значение: ожидалось, что number будет >=0',
  'auth.required': 'Требуется вход: передайте ключ кассы или токен пользователя в заголовке Authorization',
  'auth.key_revoked': 'API-ключ «Биллинг Эксперт, лента» отозван администратором 28.11.2026 14:30 (UTC+03:00): попросите новый ключ',
  'auth.key_expired':
    'Срок действия API-ключа «Биллинг Эксперт, лента» истёк 01.01.2027 00:00 (UTC+03:00): попросите у администратора новый ключ',
  'auth.forbidden': 'API-ключу «Биллинг Эксперт, лента» не хватает области «imports» (у него: feed, read)',
  'feed.cursor_ahead':
    'Позиции 100 в ленте нет: последняя позиция 8. Если incarnation (a3f9c2d1) не тот, что вы запомнили, сервер восстановлен из копии — продолжите с позиции 8 и отбрасывайте повторы по opId; если тот же — проверьте сохранённый курсор.',
  'request.unsupported_media_type': 'Файл импорта передаётся как text/csv',
};

const EXAMPLE_EXTRA: Partial<Record<ErrorCode, Record<string, unknown>>> = {
  'feed.cursor_ahead': { last: 8, incarnation: 'a3f9c2d1' },
};

/** The problem+json answer with one of `codes` (all of one HTTP status), with an example of each. */
export function problemOf(codes: readonly ErrorCode[]): z.ZodType {
  const status = ERRORS[codes[0] as ErrorCode].status;
  return z
    .looseObject({
      type: z.string().describe('https://paydesk.example/problems/<code>'),
      title: z.string().describe('заголовок кода по-русски'),
      status: z.literal(status),
      code: z.enum(codes as [ErrorCode, ...ErrorCode[]]).describe(codes.map((c) => `${c} — ${ERRORS[c].title}`).join('; ')),
      detail: z.string().describe('что случилось и что делать, по-русски'),
      errors: z
        .array(z.looseObject({ path: z.string(), message: z.string() }))
        .optional()
        .describe('для validation.failed: что не так в каком поле'),
      ...(codes.includes('feed.cursor_ahead')
        ? {
            last: z.number().int().optional().describe('feed.cursor_ahead: последняя позиция ленты'),
            incarnation: z.string().optional().describe('feed.cursor_ahead: incarnation сервера сейчас'),
          }
        : {}),
    })
    .meta({ examples: codes.map((c) => problem(c, EXAMPLE_DETAIL[c], EXAMPLE_EXTRA[c])) });
}

export interface AnswersOptions {
  /** A public route (sign-in): no authentication errors. */
  public?: boolean;
}

/**
 * A route's `response`: the success schemas as given, and one problem+json response per error status
 * listing its codes (the guarded route's authentication errors and `internal` are added).
 * Typed as the success schemas alone, so a handler's return is checked against them.
 */
export function answers<T extends Record<number, unknown>>(ok: T, errors: readonly ErrorCode[] = [], options: AnswersOptions = {}): T {
  const all = [...new Set<ErrorCode>([...(options.public ? [] : GUARDED), ...errors, 'internal'])];
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of all) byStatus.set(ERRORS[code].status, [...(byStatus.get(ERRORS[code].status) ?? []), code]);
  const response: Record<number, unknown> = { ...ok };
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    const described = codes.map((c) => `\`${c}\` — ${ERRORS[c].title}`).join('; ');
    // A status that already answers something else (an import's 422 report) gets the problem beside it.
    const given = response[status] as { description?: string; content?: Record<string, unknown> } | undefined;
    response[status] = {
      description: given?.description ? `${given.description}; или ошибка: ${described}` : described,
      content: { ...given?.content, 'application/problem+json': { schema: problemOf(codes) } },
    };
  }
  return response as T;
}

/** A text or binary file a route answers (a registry): documented, sent as it is. */
export function fileAnswer(description: string): z.ZodType {
  return z.string().meta({ description, format: 'binary' });
}

/** A request body read as a file (text/csv), not parsed: the OpenAPI shows it, nothing validates it. */
export function fileBody(description: string, example: string): z.ZodType {
  return z.any().meta({ type: 'string', description, examples: [example] });
}

/**
 * Serializes answers: a success status with a zod schema is checked against it — on what goes on the
 * wire, after JSON (a Date is its ISO text by then) — and sent as it is; error answers are the error
 * mapper's problems, sent as they are.
 */
export const responseSerializer: FastifySerializerCompiler<unknown> = ({ schema, method, url, httpStatus }) => {
  const zod = schema instanceof z.ZodType ? schema : null;
  if (!zod || /^[45]/.test(String(httpStatus ?? ''))) return (data: unknown) => JSON.stringify(data);
  return (data: unknown) => {
    const wire = JSON.stringify(data);
    const checked = z.safeEncode(zod, wire === undefined ? undefined : JSON.parse(wire));
    if (!checked.success)
      throw new Error(
        `The ${String(httpStatus)} answer of ${method} ${url} does not match its declared schema: ${z.prettifyError(checked.error)}`,
      );
    return wire;
  };
};

type Json = Record<string, unknown>;

/** OpenAPI 3.0 keeps examples beside a schema, not in it: a schema's `examples` become its media type's. */
function liftExamples(media: Json): void {
  const schema = media['schema'] as Json | undefined;
  const examples = schema?.['examples'];
  if (!schema || !Array.isArray(examples)) return;
  delete schema['examples'];
  if (examples.length === 1) media['example'] = examples[0];
  else if (examples.length > 1) {
    media['examples'] = Object.fromEntries(
      examples.map((value: unknown, i) => {
        const code = (value as { code?: unknown } | null)?.code;
        return [typeof code === 'string' ? code : `example${i + 1}`, { value }];
      }),
    );
  }
}

/** zod writes a safe integer's bounds on every integer; they say nothing to a reader. */
function dropSafeIntegerBounds(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(dropSafeIntegerBounds);
  if (node === null || typeof node !== 'object') return;
  const o = node as Json;
  if (o['minimum'] === Number.MIN_SAFE_INTEGER) delete o['minimum'];
  if (o['maximum'] === Number.MAX_SAFE_INTEGER) delete o['maximum'];
  for (const v of Object.values(o)) dropSafeIntegerBounds(v);
}

/** The last touch to the generated document (@fastify/swagger's transformObject). */
export function tidyDocument(document: { openapiObject: object } | { swaggerObject: object }): Json {
  if (!('openapiObject' in document)) return document.swaggerObject as Json;
  const openapiObject = document.openapiObject as Json;
  for (const path of Object.values((openapiObject['paths'] ?? {}) as Record<string, Record<string, Json>>)) {
    for (const op of Object.values(path)) {
      for (const response of Object.values((op['responses'] ?? {}) as Record<string, Json>)) {
        for (const media of Object.values((response['content'] ?? {}) as Record<string, Json>)) liftExamples(media);
      }
    }
  }
  dropSafeIntegerBounds(openapiObject['paths']);
  return openapiObject;
}
