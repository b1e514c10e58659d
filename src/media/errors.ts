/**
 * Media errors carry an HTTP status (for the routes) and a next step (for the MCP tools). Routes turn
 * them into `{error, code}`; tools into `isError` results.
 */
import { HttpError } from '../http/errors.js';
import { ServiceError, toServiceError } from '../services/errors.js';

export type MediaErrorCode =
  | 'too_large'
  | 'bad_input'
  | 'bad_base64'
  | 'path_refused'
  | 'url_refused'
  | 'fetch_failed'
  | 'not_found'
  | 'no_media'
  | 'ffmpeg_missing'
  | 'conversion_failed'
  | 'uploads_disabled';

const STATUS: Record<MediaErrorCode, number> = {
  too_large: 413,
  bad_input: 400,
  bad_base64: 400,
  path_refused: 400,
  url_refused: 400,
  fetch_failed: 502,
  not_found: 404,
  no_media: 400,
  ffmpeg_missing: 501,
  conversion_failed: 422,
  uploads_disabled: 403,
};

export class MediaError extends Error {
  readonly status: number;
  constructor(
    readonly code: MediaErrorCode,
    message: string,
    readonly nextStep: string,
  ) {
    super(message);
    this.name = 'MediaError';
    this.status = STATUS[code];
  }
}

export function toHttpError(err: unknown): unknown {
  if (err instanceof MediaError) return new HttpError(err.status, err.code, err.message);
  if (err instanceof ServiceError && err.code !== 'internal') return new HttpError(err.httpStatus, err.code, err.message);
  return err;
}

/** For MCP tools: a ServiceError whose message says what to do next. */
export function toToolError(err: unknown, status?: Parameters<typeof toServiceError>[1]): ServiceError {
  if (err instanceof MediaError) {
    const code = err.code === 'not_found' ? 'not_found' : err.code === 'fetch_failed' ? 'upstream_failed' : 'invalid_input';
    return new ServiceError(code, err.message, err.nextStep, { retryable: err.code === 'fetch_failed' });
  }
  return toServiceError(err, status);
}
