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
  private readonly entries = new Map<string, { value: V; weight: number }>();
  private weight = 0;

  constructor(
    private readonly currentGeneration: () => number | null,
    /** What is kept per generation, in units of `weigh` (the oldest read goes first; a heavier one is not kept). */
    private readonly budget: number,
    private readonly weigh: (value: V) => number = () => 1,
  ) {}

  get(key: string, load: () => V): V {
    const generation = this.currentGeneration();
    if (generation === null) return load();
    if (generation !== this.generation) {
      this.entries.clear();
      this.weight = 0;
      this.generation = generation;
    }
    const kept = this.entries.get(key);
    if (kept) return kept.value;
    const value = deepFreeze(load());
    const weight = Math.max(1, this.weigh(value));
    if (weight > this.budget) return value;
    for (const [k, e] of this.entries) {
      if (this.weight + weight <= this.budget) break;
      this.entries.delete(k);
      this.weight -= e.weight;
    }
    this.entries.set(key, { value, weight });
    this.weight += weight;
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
