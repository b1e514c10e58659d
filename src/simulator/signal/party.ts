import {
  addTransactionCapability,
  Curve,
  DEFAULT_CONNECTION_CONFIG,
  encodeBigEndian,
  encodeWAMessage,
  initAuthCreds,
  KEY_BUNDLE_TYPE,
  proto,
  signedKeyPair,
  unpadRandomMax16,
  type AuthenticationCreds,
  type BinaryNode,
  type KeyPair,
  type SignalRepositoryWithLIDStore,
} from '@whiskeysockets/baileys';
import type { UploadedBundle } from '../state.js';
import type { SimulatorLogger } from '../types.js';
import { makeMemoryKeyStore, type StoreRecord } from './memory-store.js';

const withPrefix = (key: Uint8Array): Buffer => Buffer.concat([KEY_BUNDLE_TYPE, key]);

/**
 * A Signal endpoint on the far side of the simulator (a fake contact, or the account's own
 * phone as device 0). It uses Baileys' own libsignal repository, so what it encrypts is exactly
 * what a real peer would send and what it decrypts proves what the client really sent.
 */
export class SignalParty {
  readonly creds: AuthenticationCreds;
  readonly repository: SignalRepositoryWithLIDStore;

  constructor(record: StoreRecord, logger: SimulatorLogger, identity?: KeyPair) {
    const saved = record.creds?.value as AuthenticationCreds | undefined;
    if (saved) {
      this.creds = saved;
    } else {
      const base = initAuthCreds();
      const creds: AuthenticationCreds = identity
        ? { ...base, signedIdentityKey: identity, signedPreKey: signedKeyPair(identity, 1) }
        : base;
      this.creds = creds;
      record.creds = { value: creds };
    }
    const keys = addTransactionCapability(makeMemoryKeyStore(record), logger, { maxCommitRetries: 1, delayBetweenTriesMs: 1 });
    // No usync behind a fake party: it never needs to resolve LIDs on its own.
    this.repository = DEFAULT_CONNECTION_CONFIG.makeSignalRepository({ creds: this.creds, keys }, logger, async () => []);
    this.keys = keys;
  }

  private readonly keys: ReturnType<typeof addTransactionCapability>;

  /** A `<user>` prekey bundle node for `encrypt get <key>`, with a fresh one-time prekey. */
  async bundleNode(jid: string): Promise<BinaryNode> {
    const preKeyId = this.creds.nextPreKeyId++;
    const preKey = Curve.generateKeyPair();
    await this.keys.set({ 'pre-key': { [String(preKeyId)]: preKey } });
    const { signedPreKey, signedIdentityKey, registrationId } = this.creds;
    return {
      tag: 'user',
      attrs: { jid },
      content: [
        { tag: 'registration', attrs: {}, content: encodeBigEndian(registrationId) },
        { tag: 'type', attrs: {}, content: KEY_BUNDLE_TYPE },
        { tag: 'identity', attrs: {}, content: signedIdentityKey.public },
        {
          tag: 'skey',
          attrs: {},
          content: [
            { tag: 'id', attrs: {}, content: encodeBigEndian(signedPreKey.keyId, 3) },
            { tag: 'value', attrs: {}, content: signedPreKey.keyPair.public },
            { tag: 'signature', attrs: {}, content: signedPreKey.signature },
          ],
        },
        {
          tag: 'key',
          attrs: {},
          content: [
            { tag: 'id', attrs: {}, content: encodeBigEndian(preKeyId, 3) },
            { tag: 'value', attrs: {}, content: preKey.public },
          ],
        },
      ],
    };
  }

  async hasSession(peer: string): Promise<boolean> {
    return (await this.repository.validateSession(peer)).exists;
  }

  /** Starts a session from the companion's uploaded bundle (consuming one of its prekeys). */
  async startSession(peer: string, bundle: UploadedBundle): Promise<void> {
    const first = bundle.preKeys.entries().next();
    let preKey: { keyId: number; publicKey: Buffer } | undefined;
    if (!first.done) {
      const [keyId, publicKey] = first.value;
      bundle.preKeys.delete(keyId);
      preKey = { keyId, publicKey: withPrefix(publicKey) };
    }
    await this.repository.injectE2ESession({
      jid: peer,
      session: {
        registrationId: bundle.registrationId,
        identityKey: withPrefix(bundle.identityKey),
        signedPreKey: {
          keyId: bundle.signedPreKey.keyId,
          publicKey: withPrefix(bundle.signedPreKey.publicKey),
          signature: bundle.signedPreKey.signature,
        },
        // libsignal accepts a missing one-time prekey; the .d.ts does not say so.
        preKey: preKey as { keyId: number; publicKey: Buffer },
      },
    });
  }

  encrypt(peer: string, message: proto.IMessage): Promise<{ type: 'pkmsg' | 'msg'; ciphertext: Uint8Array }> {
    return this.repository.encryptMessage({ jid: peer, data: encodeWAMessage(message) });
  }

  async decrypt(peer: string, type: 'pkmsg' | 'msg', ciphertext: Uint8Array): Promise<proto.Message> {
    const plain = await this.repository.decryptMessage({ jid: peer, type, ciphertext });
    return proto.Message.decode(unpadRandomMax16(plain));
  }
}
