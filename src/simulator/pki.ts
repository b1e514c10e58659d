import { Curve, proto, WA_CERT_DETAILS, type KeyPair } from '@whiskeysockets/baileys';
import { seededKeyPair } from './util/keys.js';
import { SeededRandom } from './util/rng.js';

/**
 * The simulator's own certificate chain: root → intermediate → leaf, the shape Baileys'
 * noise handler verifies (Utils/noise-handler.js processHandshake). The root is fixed for the
 * whole process so that several simulators can coexist under one trust hook.
 */
export interface TestPki {
  rootPublicKey: Buffer;
  /** Serialized proto.CertChain sent (encrypted) in the server hello. */
  certChain: Uint8Array;
  leaf: KeyPair;
}

const ROOT = seededKeyPair(new SeededRandom(0x5157, 'simulator-pki-root'));
const INTERMEDIATE_SERIAL = 1;
const LEAF_SERIAL = 2;

function certificate(details: proto.CertChain.NoiseCertificate.IDetails, signer: KeyPair): proto.CertChain.INoiseCertificate {
  const encoded = proto.CertChain.NoiseCertificate.Details.encode(details).finish();
  return { details: encoded, signature: Curve.sign(signer.private, encoded) };
}

export function makeTestPki(rng: SeededRandom): TestPki {
  const intermediate = seededKeyPair(rng.fork('pki-intermediate'));
  const leaf = seededKeyPair(rng.fork('pki-leaf'));
  const notBefore = 0;
  const notAfter = 4_102_444_800; // 2100-01-01
  const chain = proto.CertChain.encode({
    // Baileys requires issuerSerial === WA_CERT_DETAILS.SERIAL (0) on the intermediate.
    intermediate: certificate(
      { serial: INTERMEDIATE_SERIAL, issuerSerial: WA_CERT_DETAILS.SERIAL, key: intermediate.public, notBefore, notAfter },
      ROOT,
    ),
    leaf: certificate({ serial: LEAF_SERIAL, issuerSerial: INTERMEDIATE_SERIAL, key: leaf.public, notBefore, notAfter }, intermediate),
  }).finish();
  return { rootPublicKey: Buffer.from(ROOT.public), certChain: chain, leaf };
}

/**
 * Make the Baileys module instance imported from '@whiskeysockets/baileys' trust the simulator's
 * root (it reads WA_CERT_DETAILS.PUBLIC_KEY at verify time). Returns a function restoring the
 * previous key. Only call this in simulator mode: it disables trust in the real WhatsApp root.
 */
export function trustSimulatorRoot(): () => void {
  const previous = WA_CERT_DETAILS.PUBLIC_KEY;
  WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(ROOT.public);
  return () => {
    WA_CERT_DETAILS.PUBLIC_KEY = previous;
  };
}

export function simulatorRootPublicKey(): Buffer {
  return Buffer.from(ROOT.public);
}
