/**
 * The lifecycle API: status, state (+ machine definitions and a live SSE stream), and the operator
 * commands, which are events sent to the supervisor (202 with the resulting state, 409 when the current
 * state does not accept them). Every status here is the runtime's one summary (machines/status.ts).
 */
import { Router } from 'express';
import type { CommandType } from '../../../machines/events.js';
import type { Runtime, RuntimeChange } from '../../runtime/index.js';
import { wrongState } from '../../errors.js';
import { methodNotAllowed } from '../errors.js';
import { sendSse, startSse } from '../sse.js';
import type { SessionStreams } from './session-streams.js';

export interface StateRouteDeps {
  runtime: Runtime;
  /** Cheap store counters for /api/status (maintained counters, never a full-table COUNT). */
  counters?: () => Record<string, number>;
  heartbeatMs?: number;
  /** Ends a cookie-authenticated stream when its session is signed out or expires. */
  streams?: SessionStreams;
}

/** The command routes: a fixed table, so no request data ever reaches the machines (nothing to validate). */
const COMMANDS: Record<string, CommandType> = {
  '/restart-wa': 'RESTART',
  '/force-resync': 'FORCE_RESYNC',
  '/logout': 'LOGOUT',
  '/reset': 'RESET',
};

export function stateRoutes(deps: StateRouteDeps): Router {
  const { runtime } = deps;
  const r = Router();

  r.get('/status', (_req, res) => {
    res.json({ ...runtime.getSummary(), store: deps.counters?.() ?? null });
  });
  r.all('/status', methodNotAllowed(['GET']));

  r.get('/state', (_req, res) => {
    res.json(runtime.getState());
  });
  r.all('/state', methodNotAllowed(['GET']));

  r.get('/state/machine', (_req, res) => {
    res.json(runtime.machineJson());
  });
  r.all('/state/machine', methodNotAllowed(['GET']));

  r.get('/state/stream', (req, res) => {
    startSse(res);
    // First event: the full state, so a (re)connecting client resyncs before applying deltas.
    sendSse(res, 'state', runtime.getState());
    const off = runtime.subscribe((change: RuntimeChange) => {
      if (change.type === 'status') {
        sendSse(res, 'status', { status: change.summary, health: change.health });
      } else {
        sendSse(res, 'transition', change.transition);
      }
    });
    const beat = setInterval(() => res.write(`: heartbeat ${Date.now()}\n\n`), deps.heartbeatMs ?? 15_000);
    let release = () => {};
    const cleanup = () => {
      clearInterval(beat);
      off();
      release();
    };
    // Sign-out or expiry: say why (the page goes to sign-in at once), then end the stream.
    release = deps.streams?.attach(req, (why) => {
      cleanup();
      sendSse(res, 'session-ended', { reason: why });
      res.end();
    }) ?? release;
    req.on('close', cleanup);
  });
  r.all('/state/stream', methodNotAllowed(['GET']));

  for (const [path, type] of Object.entries(COMMANDS)) {
    r.post(path, (_req, res) => {
      const result = runtime.send({ type });
      if (!result.accepted) {
        throw wrongState(`${type} is not possible in state ${result.status.state}`, '', {
          state: result.status.state,
        });
      }
      res.status(202).json({ accepted: true, command: type, state: result.summary.state, status: result.summary });
    });
    r.all(path, methodNotAllowed(['POST']));
  }
  return r;
}
