/**
 * Mapping anything thrown below the delivery layers to the one {@link AppError} taxonomy (src/errors.ts),
 * with the lifecycle-aware "not connected" error. The Express error handler and the MCP tool results both
 * go through {@link toAppError}, so an agent and a script see the same code, message and next step.
 */
import { retryInMs, type LifecycleStatus } from '../runtime/index.js';
import { AppError, fromLibraryError, internalError, invalidInput } from '../errors.js';
import { InvalidCursorError } from '../store/index.js';
import { NotConnectedError } from '../whatsapp/gateway.js';

/** "WhatsApp is not connected (state: restarting, retry in ~12 s)" plus the next step for that state. */
export function notConnected(status: LifecycleStatus, now = Date.now()): AppError {
  const wait = retryInMs(status, now);
  const retry = wait === null ? '' : `, retry in ~${Math.max(1, Math.ceil(wait / 1000))} s`;
  const message = `WhatsApp is not connected (state: ${status.state}${retry})`;
  let next: string;
  let retryable = true;
  switch (status.state) {
    case 'awaiting-qr':
      next = 'The device is not linked: call get_qr_code and scan the QR with the phone (WhatsApp → Linked devices), then retry';
      retryable = false;
      break;
    case 'stuck':
      next = `The connection needs an operator (${status.reason ?? 'stuck'}): restart it from the admin UI (POST /api/restart-wa) or log out and re-link, then retry`;
      retryable = false;
      break;
    case 'soft-resync':
      next = 'The connection is resynchronising; retry in a few seconds (check_auth_status shows when it is open)';
      break;
    default:
      next =
        wait === null
          ? 'The connection is being re-established; retry shortly (check_auth_status shows when it is open)'
          : `Retry after ~${Math.max(1, Math.ceil(wait / 1000))} s (check_auth_status shows when it is open)`;
  }
  return new AppError('not_connected', message, next, { retryable, retryAfterMs: wait ?? (retryable ? 5_000 : undefined) });
}

/**
 * Any thrown value as an AppError: ours pass through; "not connected" from the gateway gets the
 * lifecycle's retry hint; a bad cursor is bad input; a library's 4xx keeps its status; anything else is
 * a generic `internal` error (the stack goes to the log only, see the renderers).
 */
export function toAppError(err: unknown, status?: () => LifecycleStatus): AppError {
  if (err instanceof NotConnectedError) {
    if (status) return notConnected(status());
    return new AppError('not_connected', 'WhatsApp is not connected', 'Retry in a few seconds (check_auth_status shows the state)', {
      retryable: true,
      retryAfterMs: 5_000,
    });
  }
  if (err instanceof AppError) return err;
  if (err instanceof InvalidCursorError) {
    return invalidInput('Invalid cursor', 'Pass the nextCursor value from the previous page unchanged, or omit it to start over');
  }
  return fromLibraryError(err) ?? internalError(err);
}
