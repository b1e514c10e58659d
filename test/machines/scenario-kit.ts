/**
 * Lifecycle scenarios as data: a scenario module declares `group(name, …)` / `scenario(name, fn)` (the
 * shape of describe/it) into a list. A test file registers that list as vitest tests, and a coverage test
 * can run the same list again inside itself, so "every branch was taken" never depends on which tests ran
 * before it, in which order, or in which file.
 */
import { describe, it, vi } from 'vitest';

export const T0 = Date.UTC(2026, 0, 1);

export interface Scenario {
  group: string;
  name: string;
  run: () => void;
}

export interface ScenarioList {
  scenarios: Scenario[];
  /** Stops whatever tree the last scenario left running (each module tracks its own). */
  cleanup: () => void;
}

type Args<T> = T extends readonly unknown[] ? { -readonly [K in keyof T]: T[K] } : [T];

/** vitest's `%i` / `%s` / `%d` name placeholders, filled from the row in order. */
function format(name: string, args: readonly unknown[]): string {
  let i = 0;
  return name.replace(/%[isd]/g, () => String(args[i++]));
}

export function defineScenarios(cleanup: () => void, build: (dsl: {
  group: (name: string, body: () => void) => void;
  scenario: (name: string, run: () => void) => void;
  each: <const T>(rows: readonly T[]) => (name: string, run: (...args: Args<T>) => void) => void;
}) => void): ScenarioList {
  const scenarios: Scenario[] = [];
  let current = '';
  const scenario = (name: string, run: () => void) => scenarios.push({ group: current, name, run });
  build({
    group(name, body) {
      current = name;
      body();
      current = '';
    },
    scenario,
    each: (rows) => (name, run) => {
      for (const row of rows) {
        const args = (Array.isArray(row) ? row : [row]) as unknown as Args<(typeof rows)[number]>;
        scenario(format(name, args), () => run(...args));
      }
    },
  });
  return { scenarios, cleanup };
}

/** Runs one scenario on vitest's fake clock starting at {@link T0}; always stops its tree. */
export function runScenario(list: ScenarioList, s: Scenario): void {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
  try {
    s.run();
  } finally {
    list.cleanup();
    vi.useRealTimers();
  }
}

/** Registers every scenario of the list as a vitest test, grouped like the module declares. */
export function registerScenarios(list: ScenarioList): void {
  const groups = new Map<string, Scenario[]>();
  for (const s of list.scenarios) groups.set(s.group, [...(groups.get(s.group) ?? []), s]);
  for (const [group, items] of groups) {
    describe(group, () => {
      for (const s of items) it(s.name, () => runScenario(list, s));
    });
  }
}
