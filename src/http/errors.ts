/**
 * JSON errors for every HTTP failure: `{error, code, nextStep?, retryable?, retryAfterMs?, details?}` with
 * the AppError's status (src/errors.ts). Never an HTML page, never a stack trace: unknown errors are a
 * generic 500 (logged with their stack); a library error that carries a 4xx status keeps it and is
 * logged at debug only (it is the client's doing).
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { LifecycleStatus } from '../runtime/index.js';
import { AppError, notFound } from '../errors.js';
import type { Logger } from '../logger.js';
import { toAppError } from '../services/errors.js';

export { notFound };
export const badRequest = (message: string, details?: unknown) => new AppError('bad_request', message, '', { details });

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new AppError('not_found', `no route for ${req.method} ${req.path}`));
};

export function httpErrorBody(e: AppError): Record<string, unknown> {
  const body: Record<string, unknown> = { error: e.message, code: e.code };
  if (e.nextStep) body.nextStep = e.nextStep;
  if (e.retryable) body.retryable = true;
  if (e.retryAfterMs !== undefined) body.retryAfterMs = e.retryAfterMs;
  if (e.details !== undefined) body.details = e.details;
  return body;
}

/** `status` lets "not connected" errors carry the lifecycle's retry hint. */
export function errorHandler(log: Logger, status?: () => LifecycleStatus): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    // A client that hung up mid-request (an aborted upload) is the client's doing: no 500, no stack, and
    // nobody left to answer.
    // (`req.socket` is null once Node has detached it from a finished exchange: never throw from here, or
    // Express's fallback page would answer instead, with a stack trace.)
    if ((req.socket === null || req.socket.destroyed) && !req.complete) {
      log.info({ method: req.method, path: req.path }, 'request aborted by the client');
      return;
    }
    const e = toAppError(err, status);
    if (e.httpStatus >= 500) log.error({ err, method: req.method, path: req.path }, 'request failed');
    else log.debug({ code: e.code, method: req.method, path: req.path }, 'request refused');
    if (res.headersSent) {
      res.end();
      return;
    }
    if (e.retryAfterMs !== undefined) res.setHeader('Retry-After', String(Math.max(1, Math.ceil(e.retryAfterMs / 1000))));
    // Refused by authentication before its body was read: do not wait for (or read) the rest of it.
    if (!req.complete && [401, 403, 429].includes(e.httpStatus)) res.setHeader('Connection', 'close');
    res.status(e.httpStatus).json(httpErrorBody(e));
  };
}

/** Registers handlers for some methods of a path and answers 405 (with Allow) for the others. */
export function methodNotAllowed(allowed: string[]): RequestHandler {
  return (_req, res) => {
    res.setHeader('Allow', allowed.join(', '));
    res.status(405).json({ error: `method not allowed; use ${allowed.join(' or ')}`, code: 'method_not_allowed' });
  };
}
