/**
 * Transitional: the projection moved to machines/status.ts (one module for status, health and commands).
 * Kept only so type imports outside the lifecycle files (web/src/types.ts, src/mcp/hub.ts,
 * src/services/errors.ts, test/helpers/sim-app.ts) compile until they import machines/status.js; then delete.
 */
export type { Deadlines, Health, LifecycleStatus } from './status.js';
