/**
 * Repeated reads answered from memory while the store has not changed (issue #17): agents poll
 * list_chats, and a page costs ~200 µs of SQL and presentation that is the same until something is
 * written. Entries are keyed by the read and its arguments and valid for one store generation
 * (store/generation.ts: any write, by any connection, moves it); inside a transaction nothing is kept.
 * Values are frozen deeply when kept, because every caller shares them: a caller that tried to change one
 * would throw instead of corrupting the next caller's answer.
 */
export class ReadCache<V extends object> {
  private generation: number | null = null;
  private readonly entries = new Map<string, V>();

  constructor(
    private readonly currentGeneration: () => number | null,
    /** Distinct reads kept per generation (pages of several cursors, filters); the oldest goes first. */
    private readonly max = 64,
  ) {}

  get(key: string, load: () => V): V {
    const generation = this.currentGeneration();
    if (generation === null) return load();
    if (generation !== this.generation) {
      this.entries.clear();
      this.generation = generation;
    }
    let value = this.entries.get(key);
    if (value === undefined) {
      value = deepFreeze(load());
      if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, value);
    }
    return value;
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
