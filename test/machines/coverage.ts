/**
 * Transition-branch coverage that does not depend on test order: the check itself runs every scenario
 * and the generated shortest paths, recording the branches taken, then compares with the machine's definitions.
 */
import type { AnyStateMachine } from 'xstate';
import { allTransitions, takenTransitions } from './harness.js';
import { lifecyclePaths, replayPath } from './paths.js';
import { runScenario, type ScenarioList } from './scenario-kit.js';
import { connectionScenarios } from './scenarios/connection.js';
import { supervisorScenarios } from './scenarios/supervisor.js';

/** The branches of `machine` that neither the scenarios nor the generated paths take. */
export function untakenBranches(machine: AnyStateMachine): string[] {
  takenTransitions.clear();
  for (const list of [connectionScenarios, supervisorScenarios] satisfies ScenarioList[]) {
    for (const s of list.scenarios) runScenario(list, s);
  }
  for (const p of lifecyclePaths().shortest) replayPath(p);
  return allTransitions(machine).filter((k) => !takenTransitions.has(k));
}
