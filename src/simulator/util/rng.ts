import { createHash } from 'node:crypto';

/**
 * Deterministic byte/number source (SHA-256 in counter mode) so that a seed fully determines
 * the simulator's contacts, history and long-term keys. Not for real cryptographic secrecy.
 */
export class SeededRandom {
  private counter = 0;
  constructor(private readonly seed: number, private readonly label = 'sim') {}

  /** A child generator whose stream is independent of this one's consumption order. */
  fork(label: string): SeededRandom {
    return new SeededRandom(this.seed, `${this.label}/${label}`);
  }

  bytes(length: number): Buffer {
    const out: Buffer[] = [];
    let have = 0;
    while (have < length) {
      const block = createHash('sha256').update(`${this.seed}:${this.label}:${this.counter++}`).digest();
      out.push(block);
      have += block.length;
    }
    return Buffer.concat(out).subarray(0, length);
  }

  /** Uniform-ish integer in [0, max). */
  int(max: number): number {
    return this.bytes(4).readUInt32BE(0) % max;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from empty list');
    return item;
  }

  /** A decimal string of `length` digits (first digit non-zero). */
  digits(length: number): string {
    let s = String(1 + this.int(9));
    while (s.length < length) s += String(this.int(10));
    return s;
  }

  hex(bytes: number): string {
    return this.bytes(bytes).toString('hex').toUpperCase();
  }
}
