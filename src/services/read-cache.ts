/**
 * Repeated reads answered from memory while the store has not changed (issue #17): agents poll
 * list_chats, and its page (SQL and presentation) is the same until something is written; recomputing it
 * is over half of a call's server CPU (`npm run bench -- mcp`: `server_cpu_per_list_chats_app` against
 * `…_app_uncached`). Entries are keyed by the read and its arguments and valid for one store generation
 * (store/generation.ts: any write, by any connection, moves it); inside a transaction nothing is kept.
 * Values are frozen deeply, because every caller shares them: a caller that tried to change one would
 * throw instead of corrupting the next caller's answer (also when it was not kept, so that it throws alike).
 */
export class ReadCache<V extends object> {
  private generation: number | null = null;
  /** In order of use, least recently used first. */
  private readonly entries = new Map<string, { value: V; bytes: number }>();
  private bytes = 0;

  constructor(
    private readonly currentGeneration: () => number | null,
    /** Estimated bytes kept per generation (see `freeze`); the least recently used read goes first, a larger one is not kept. */
    private readonly budgetBytes: number,
  ) {}

  get(key: string, load: () => V): V {
    const generation = this.currentGeneration();
    if (generation !== this.generation) {
      this.entries.clear();
      this.bytes = 0;
      this.generation = generation;
    }
    const kept = this.entries.get(key);
    if (kept) {
      this.entries.delete(key);
      this.entries.set(key, kept);
      return kept.value;
    }
    const value = load();
    const bytes = freeze(value);
    if (generation === null || bytes > this.budgetBytes) return value;
    for (const [k, e] of this.entries) {
      if (this.bytes + bytes <= this.budgetBytes) break;
      this.entries.delete(k);
      this.bytes -= e.bytes;
    }
    this.entries.set(key, { value, bytes });
    this.bytes += bytes;
    return value;
  }
}

/** Freezes `value` deeply and returns an estimate of the bytes it holds (V8: 2 per string char, 8 per slot). */
function freeze(value: unknown): number {
  if (typeof value === 'string') return 16 + 2 * value.length;
  if (typeof value !== 'object' || value === null) return 8;
  Object.freeze(value);
  let bytes = 32;
  for (const v of Object.values(value)) bytes += 8 + freeze(v);
  return bytes;
}
