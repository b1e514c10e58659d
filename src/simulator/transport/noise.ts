import {
  aesDecryptGCM,
  aesEncryptGCM,
  Curve,
  hkdf,
  NOISE_MODE,
  proto,
  sha256,
  type KeyPair,
} from '@whiskeysockets/baileys';

const IV_LENGTH = 12;

function iv(counter: number): Buffer {
  const out = Buffer.alloc(IV_LENGTH);
  out.writeUInt32BE(counter, 8);
  return out;
}

export interface ClientFinish {
  clientStaticPublic: Buffer;
  payload: proto.ClientPayload;
}

/**
 * Responder side of WhatsApp's Noise_XX_25519_AESGCM_SHA256, mirroring Baileys' initiator in
 * Utils/noise-handler.js step by step (same hash/salt/counter bookkeeping, which during the
 * handshake shares one counter for both directions).
 */
export class NoiseResponder {
  private hash: Buffer;
  private salt: Buffer;
  private key: Buffer;
  private counter = 0;
  private readonly ephemeral: KeyPair = Curve.generateKeyPair();
  private transport: { enc: Buffer; dec: Buffer; read: number; write: number } | undefined;

  constructor(
    private readonly staticKey: KeyPair,
    private readonly certChain: Uint8Array,
  ) {
    const mode = Buffer.from(NOISE_MODE);
    this.hash = mode.length === 32 ? mode : sha256(mode);
    this.salt = this.hash;
    this.key = this.hash;
  }

  get established(): boolean {
    return this.transport !== undefined;
  }

  /** Consumes the client hello (first frame) and returns the server hello frame payload. */
  respondToHello(introHeader: Buffer, frame: Buffer): Uint8Array {
    const hello = proto.HandshakeMessage.decode(frame).clientHello;
    const clientEphemeral = hello?.ephemeral;
    if (!clientEphemeral || clientEphemeral.length !== 32) throw new Error('client hello without ephemeral key');
    this.clientEphemeral = Buffer.from(clientEphemeral);
    this.mixHash(introHeader);
    this.mixHash(this.clientEphemeral);
    this.mixHash(this.ephemeral.public);
    this.mixKey(Curve.sharedKey(this.ephemeral.private, this.clientEphemeral));
    const staticEnc = this.encryptHandshake(this.staticKey.public);
    this.mixKey(Curve.sharedKey(this.staticKey.private, this.clientEphemeral));
    const payloadEnc = this.encryptHandshake(this.certChain);
    return proto.HandshakeMessage.encode({
      serverHello: { ephemeral: this.ephemeral.public, static: staticEnc, payload: payloadEnc },
    }).finish();
  }

  private clientEphemeral: Buffer = Buffer.alloc(0);

  /** Consumes the client finish frame, derives transport keys and returns the login/registration payload. */
  finish(frame: Buffer): ClientFinish {
    const finish = proto.HandshakeMessage.decode(frame).clientFinish;
    if (!finish?.static || !finish.payload) throw new Error('client finish incomplete');
    const clientStaticPublic = this.decryptHandshake(Buffer.from(finish.static));
    this.mixKey(Curve.sharedKey(this.ephemeral.private, clientStaticPublic));
    const payload = proto.ClientPayload.decode(this.decryptHandshake(Buffer.from(finish.payload)));
    const keys = hkdf(Buffer.alloc(0), 64, { salt: this.salt, info: '' });
    // The client writes with bytes 0–31 and reads with 32–63; we do the opposite.
    this.transport = { dec: Buffer.from(keys.subarray(0, 32)), enc: Buffer.from(keys.subarray(32, 64)), read: 0, write: 0 };
    return { clientStaticPublic, payload };
  }

  encrypt(plaintext: Uint8Array): Buffer {
    if (!this.transport) throw new Error('noise transport not established');
    return aesEncryptGCM(plaintext, this.transport.enc, iv(this.transport.write++), Buffer.alloc(0));
  }

  decrypt(ciphertext: Uint8Array): Buffer {
    if (!this.transport) throw new Error('noise transport not established');
    return aesDecryptGCM(ciphertext, this.transport.dec, iv(this.transport.read++), Buffer.alloc(0));
  }

  private mixHash(data: Uint8Array): void {
    this.hash = sha256(Buffer.concat([this.hash, data]));
  }

  private mixKey(dh: Uint8Array): void {
    const out = hkdf(Buffer.from(dh), 64, { salt: this.salt, info: '' });
    this.salt = Buffer.from(out.subarray(0, 32));
    this.key = Buffer.from(out.subarray(32, 64));
    this.counter = 0;
  }

  private encryptHandshake(plaintext: Uint8Array): Buffer {
    const out = aesEncryptGCM(plaintext, this.key, iv(this.counter++), this.hash);
    this.mixHash(out);
    return out;
  }

  private decryptHandshake(ciphertext: Buffer): Buffer {
    const out = aesDecryptGCM(ciphertext, this.key, iv(this.counter++), this.hash);
    this.mixHash(ciphertext);
    return out;
  }
}
