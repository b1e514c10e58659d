import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { KeyPair } from '@whiskeysockets/baileys';
import type { SeededRandom } from './rng.js';

// DER wrappers for raw X25519 keys (RFC 8410): lets us derive a key pair from seeded bytes,
// which libsignal's generateKeyPair() cannot do.
const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_X25519_PREFIX_LENGTH = 12;

/** X25519 key pair in Baileys' format (32-byte public key, no 0x05 prefix). */
export function keyPairFromSeed(privateBytes: Uint8Array): KeyPair {
  const priv = Buffer.from(privateBytes.subarray(0, 32));
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_X25519_PREFIX, priv]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return { private: priv, public: Buffer.from(spki.subarray(SPKI_X25519_PREFIX_LENGTH)) };
}

export function seededKeyPair(rng: SeededRandom): KeyPair {
  return keyPairFromSeed(rng.bytes(32));
}
