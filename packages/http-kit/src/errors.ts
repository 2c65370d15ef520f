/**
 * The one place where anything thrown becomes an HTTP answer: application/problem+json with a
 * stable code, a Russian message and, for bad input, the list of what is wrong. Unknown errors are
 * logged and answered as a redacted 500.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, problem, type ErrorCode, type Problem } from '@paydesk/protocol';

export const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type(PROBLEM_TYPE).send(p);
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'request.unsupported_media_type',
  FST_ERR_CTP_BODY_TOO_LARGE: 'request.too_large',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'request.malformed',
  FST_ERR_CTP_INVALID_JSON_BODY: 'request.malformed',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'request.malformed',
  FST_ERR_CTP_INVALID_TYPE: 'request.malformed',
  FST_ERR_CTP_INVALID_CHARSET: 'request.unsupported_media_type',
  FST_ERR_BAD_URL: 'request.malformed',
  FST_ERR_ASYNC_CONSTRAINT: 'request.malformed',
};

export interface ErrorHandlingOptions {
  /** Answers unknown paths that are not the API (a single-page UI's own routes). */
  notFoundPage?: (request: FastifyRequest, reply: FastifyReply) => FastifyReply | Promise<FastifyReply>;
}

export function installErrorHandling(app: FastifyInstance, options: ErrorHandlingOptions = {}): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) return sendProblem(reply, error.toProblem());
    if (hasZodFastifySchemaValidationErrors(error)) {
      const errors = error.validation.map((v) => ({
        path: `${error.validationContext ?? 'body'}${v.instancePath.replace(/\//g, '.')}`,
        message: v.message ?? 'неверное значение',
      }));
      const first = errors[0];
      return sendProblem(
        reply,
        problem('validation.failed', first ? `Неверные данные запроса: ${first.path} — ${first.message}` : undefined, { errors }),
      );
    }
    if (error.statusCode === 429) return sendProblem(reply, problem('auth.rate_limited', error.message));
    const mapped = error.code ? FASTIFY_CODES[error.code] : undefined;
    if (mapped) return sendProblem(reply, problem(mapped));
    if (error instanceof SyntaxError || (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500)) {
      return sendProblem(
        reply,
        problem(
          error.statusCode === 413
            ? 'request.too_large'
            : error.statusCode === 415
              ? 'request.unsupported_media_type'
              : 'request.malformed',
        ),
      );
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(reply, problem('internal', 'Внутренняя ошибка сервера. Повторите позже или сообщите администратору.'));
  });
  app.setNotFoundHandler((request, reply) => {
    if (options.notFoundPage && request.method === 'GET' && !request.url.startsWith('/api/')) return options.notFoundPage(request, reply);
    return sendProblem(reply, problem('not_found', `Нет такого адреса: ${request.method} ${request.url.split('?')[0] ?? ''}`));
  });
}
