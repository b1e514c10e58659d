/** An engine the test drives by hand: it records commands and lets the test emit engine events. */
import type { EngineCommand, EngineEvent } from '../../machines/events.js';
import type { EngineFactory } from '../../src/runtime/engine.js';

export function scriptedEngine() {
  const commands: EngineCommand[] = [];
  let current: ((e: EngineEvent) => void) | null = null;
  let starts = 0;
  const factory: EngineFactory = (emit) => {
    starts++;
    current = emit;
    return {
      handle: (cmd) => {
        commands.push(cmd);
      },
      dispose: () => {
        if (current === emit) current = null;
      },
    };
  };
  return {
    factory,
    commands,
    get starts() {
      return starts;
    },
    emit(e: EngineEvent) {
      if (!current) throw new Error('no engine running');
      current(e);
    },
  };
}
