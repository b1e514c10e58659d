import type { ContactSeed, PhoneOptions, SimulatorContact } from './types.js';
import type { SeededRandom } from './util/rng.js';

const FIRST = ['Alice', 'Bruno', 'Chiara', 'Dmitri', 'Esther', 'Farid', 'Greta', 'Hiro', 'Ines', 'Jonas', 'Kemi', 'Lars'];
const LAST = ['Silva', 'Novak', 'Okafor', 'Rossi', 'Tanaka', 'Weber', 'Haddad', 'Kowalski', 'Moreau', 'Lindqvist'];

/** Phone numbers in the 555 fictional range so nothing resembles a real subscriber. */
export function defaultPhone(rng: SeededRandom, overrides: Partial<PhoneOptions> | undefined): PhoneOptions {
  const r = rng.fork('phone');
  return {
    number: overrides?.number ?? `1555${r.digits(7)}`,
    pushName: overrides?.pushName ?? 'Simulated Phone',
    lid: overrides?.lid ?? r.digits(14),
  };
}

export function seedContacts(rng: SeededRandom, spec: number | ContactSeed[] | undefined): SimulatorContact[] {
  const seeds: ContactSeed[] = Array.isArray(spec) ? spec : [];
  if (!Array.isArray(spec)) {
    const r = rng.fork('contacts');
    const count = spec ?? 3;
    for (let i = 0; i < count; i++) {
      const first = FIRST[i % FIRST.length] ?? 'Contact';
      const suffix = i >= FIRST.length ? ` ${Math.floor(i / FIRST.length) + 1}` : '';
      seeds.push({ number: `1555${r.digits(7)}`, lid: r.digits(14), name: `${first} ${r.pick(LAST)}${suffix}` });
    }
  }
  return seeds.map(s => ({ ...s, jid: `${s.number}@s.whatsapp.net`, lidJid: `${s.lid}@lid` }));
}
