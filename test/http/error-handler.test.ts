/**
 * The Express error handler never throws, even for a request whose socket Node has already detached
 * (`req.socket === null`, seen when a refused upload's connection closes as the error arrives): a throw
 * there would hand the request to Express's fallback page.
 */
import type { NextFunction, Request, Response } from 'express';
import { expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { errorHandler } from '../../src/http/errors.js';
import { silentLogger } from '../../src/logger.js';

it('answers a request whose socket is gone without throwing', () => {
  const sent: Array<{ status: number; body: unknown }> = [];
  let status = 0;
  const res = {
    headersSent: false,
    setHeader: () => undefined,
    status(code: number) {
      status = code;
      return this;
    },
    json(body: unknown) {
      sent.push({ status, body });
      return this;
    },
    end: () => undefined,
  } as unknown as Response;
  const handler = errorHandler(silentLogger());
  const done = { socket: null, complete: true, method: 'POST', path: '/api/upload' } as unknown as Request;
  expect(() => handler(new AppError('too_large', 'too big'), done, res, (() => undefined) as NextFunction)).not.toThrow();
  expect(sent).toEqual([{ status: 413, body: { error: 'too big', code: 'too_large' } }]);
  const aborted = { socket: null, complete: false, method: 'POST', path: '/api/upload' } as unknown as Request;
  expect(() => handler(new AppError('too_large', 'too big'), aborted, res, (() => undefined) as NextFunction)).not.toThrow();
  expect(sent).toHaveLength(1); // nobody left to answer
});
