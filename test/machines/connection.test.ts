/**
 * The connection worker: hand-written scenarios (close-code table, watchdog, pairing, soft-resync ladder)
 * and paths generated from the machine with xstate/graph, all on the real supervised tree.
 */
import { describe, expect, it } from 'vitest';
import { connectionMachine } from '../../machines/connection.machine.js';
import { untakenBranches } from './coverage.js';
import { describePath, lifecyclePaths, replayPath } from './paths.js';
import { registerScenarios } from './scenario-kit.js';
import { connectionScenarios } from './scenarios/connection.js';

registerScenarios(connectionScenarios);

describe('generated paths (xstate/graph)', () => {
  const paths = lifecyclePaths().all;

  it('reach every state of the worker', () => {
    const reached = new Set(paths.map((p) => JSON.stringify(p.state.value)));
    expect([...reached].sort()).toEqual(
      ['"escalated"', '"open"', '"soft-resync"', '{"connecting":"awaiting-code"}', '{"connecting":"awaiting-qr"}', '{"connecting":"backoff"}', '{"connecting":"handshake"}'].sort(),
    );
  });

  it.each(paths.map((p) => [describePath(p), p] as const))('%s', (_name, path) => {
    replayPath(path);
  });
});

describe('coverage', () => {
  it('every transition branch of the connection machine is taken by the scenarios and the generated shortest paths', () => {
    expect(untakenBranches(connectionMachine)).toEqual([]);
  });
});
