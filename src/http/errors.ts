/**
 * JSON errors for every HTTP failure: `{ error, code }` with the right status. Never an HTML page,
 * never a stack trace. Handlers throw {@link HttpError}; the error middleware renders it.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../logger.js';

export class HttpError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly details?: unknown,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details?: unknown) => new HttpError(400, 'bad_request', message, details);
export const notFound = (message = 'not found') => new HttpError(404, 'not_found', message);
export const conflict = (message: string, details?: unknown) => new HttpError(409, 'wrong_state', message, details);

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'not_found', `no route for ${req.method} ${req.path}`));
};

interface BodyParserError {
  type?: string;
  status?: number;
  statusCode?: number;
  expose?: boolean;
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let status = 500;
    let code = 'internal_error';
    let message = 'internal error';
    let details: unknown;
    if (err instanceof HttpError) {
      ({ status, code, message, details } = err);
    } else if (err && typeof err === 'object') {
      const e = err as BodyParserError & { message?: string };
      if (e.type === 'entity.parse.failed') {
        status = 400;
        code = 'invalid_json';
        message = 'request body is not valid JSON';
      } else if (e.type === 'entity.too.large') {
        status = 413;
        code = 'too_large';
        message = 'request body is too large';
      } else if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') {
        status = 415;
        code = 'unsupported_encoding';
        message = e.message ?? 'unsupported encoding';
      } else if (typeof (e.status ?? e.statusCode) === 'number' && (e.status ?? e.statusCode)! < 500 && e.expose) {
        status = (e.status ?? e.statusCode)!;
        code = 'bad_request';
        message = e.message ?? 'bad request';
      }
    }
    if (status >= 500) log.error({ err, method: req.method, path: req.path }, 'request failed');
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(status).json(details === undefined ? { error: message, code } : { error: message, code, details });
  };
}

/** Registers handlers for some methods of a path and answers 405 (with Allow) for the others. */
export function methodNotAllowed(allowed: string[]): RequestHandler {
  return (_req, res) => {
    res.setHeader('Allow', allowed.join(', '));
    res.status(405).json({ error: `method not allowed; use ${allowed.join(' or ')}`, code: 'method_not_allowed' });
  };
}
