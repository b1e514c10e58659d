/** The supervisor: restart budget, stuck and probation, operator commands and crashing workers. */
import { describe, expect, it } from 'vitest';
import { supervisorMachine } from '../../machines/supervisor.machine.js';
import { untakenBranches } from './coverage.js';
import { registerScenarios } from './scenario-kit.js';
import { supervisorScenarios } from './scenarios/supervisor.js';

registerScenarios(supervisorScenarios);

describe('coverage', () => {
  it('every transition branch of the supervisor machine is taken by the scenarios and the generated shortest paths', () => {
    expect(untakenBranches(supervisorMachine)).toEqual([]);
  });
});
