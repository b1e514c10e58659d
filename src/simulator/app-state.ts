import {
  chatModificationToAppPatch,
  encodeSyncdPatch,
  newLTHashState,
  proto,
  ALL_WA_PATCH_NAMES,
  type BinaryNode,
  type ChatModification,
  type WAPatchName,
} from '@whiskeysockets/baileys';
import { children, child } from './util/nodes.js';
import type { AppStateCollection } from './state.js';
import type { SeededRandom } from './util/rng.js';

/**
 * The account's app-state (syncd) server: one shared key the phone hands to companions, and
 * per-collection patch logs that the client pulls with `w:sync:app:state`.
 */
export class AppStateServer {
  readonly keyId: Buffer;
  private readonly keyData: Buffer;
  /**
   * @param collections the persisted log (SimulatorState.appState), filled in place; the key is
   *   derived from the seed, so a restarted simulator must use the same seed.
   */
  constructor(
    private readonly rng: SeededRandom,
    private readonly collections: Map<string, AppStateCollection>,
  ) {
    const r = rng.fork('app-state-key');
    this.keyId = r.bytes(6);
    this.keyData = r.bytes(32);
    for (const name of ALL_WA_PATCH_NAMES) {
      if (!collections.has(name)) collections.set(name, { state: newLTHashState(), patches: [] });
    }
  }

  /** APP_STATE_SYNC_KEY_SHARE protocol message carrying our key. */
  keyShareMessage(): proto.IMessage {
    return {
      protocolMessage: {
        type: proto.Message.ProtocolMessage.Type.APP_STATE_SYNC_KEY_SHARE,
        appStateSyncKeyShare: {
          keys: [
            {
              keyId: { keyId: this.keyId },
              keyData: {
                keyData: this.keyData,
                fingerprint: { rawId: 1, currentIndex: 0, deviceIndexes: [0] },
                timestamp: Date.now(),
              },
            },
          ],
        },
      },
    };
  }

  private collection(name: WAPatchName): AppStateCollection {
    const found = this.collections.get(name);
    if (!found) throw new Error(`unknown app-state collection ${name}`);
    return found;
  }

  /** Appends a valid patch for a chat modification; returns its collection and version. */
  async push(mod: ChatModification, jid: string): Promise<{ collection: WAPatchName; version: number }> {
    const patchCreate = chatModificationToAppPatch(mod, jid);
    const col = this.collection(patchCreate.type);
    const keyIdB64 = this.keyId.toString('base64');
    const { patch, state } = await encodeSyncdPatch(patchCreate, keyIdB64, col.state, async id =>
      id === keyIdB64 ? { keyData: this.keyData } : undefined,
    );
    col.state = state;
    const bytes = Buffer.from(proto.SyncdPatch.encode({ ...patch, version: { version: state.version } }).finish());
    col.patches.push({ version: state.version, bytes });
    return { collection: patchCreate.type, version: state.version };
  }

  /**
   * Appends a patch encrypted under a key id the client never received: Baileys cannot decode
   * it, retries once with a snapshot request and then parks the collection ("blocked").
   */
  pushCorrupt(name: WAPatchName): { collection: WAPatchName; version: number; keyId: string } {
    const col = this.collection(name);
    const version = col.state.version + 1;
    const r = this.rng.fork(`corrupt-${name}-${version}`);
    const unknownKey = r.bytes(6);
    const bytes = Buffer.from(
      proto.SyncdPatch.encode({
        version: { version },
        keyId: { id: unknownKey },
        snapshotMac: r.bytes(32),
        patchMac: r.bytes(32),
        mutations: [
          {
            operation: proto.SyncdMutation.SyncdOperation.SET,
            record: { index: { blob: r.bytes(32) }, value: { blob: r.bytes(80) }, keyId: { id: unknownKey } },
          },
        ],
      }).finish(),
    );
    // The server's own hash is not advanced: the corrupt patch is noise on top of the log.
    col.state = { ...col.state, version };
    col.patches.push({ version, bytes });
    return { collection: name, version, keyId: unknownKey.toString('base64') };
  }

  latestVersion(name: WAPatchName): number {
    return this.collection(name).state.version;
  }

  /** Answers `<iq xmlns="w:sync:app:state"><sync><collection name version/>…`. No snapshots: patches only. */
  answer(request: BinaryNode): BinaryNode[] {
    const out: BinaryNode[] = [];
    for (const req of children(child(request, 'sync'), 'collection')) {
      const name = req.attrs.name ?? '';
      const col = this.collections.get(name);
      if (!col) {
        out.push({ tag: 'collection', attrs: { name, type: 'error' }, content: [{ tag: 'error', attrs: { code: '404', text: 'item-not-found' } }] });
        continue;
      }
      const from = Number(req.attrs.version ?? '0');
      const patches = col.patches.filter(p => p.version > from);
      out.push({
        tag: 'collection',
        attrs: { name, version: String(col.state.version) },
        content: patches.length
          ? [{ tag: 'patches', attrs: {}, content: patches.map(p => ({ tag: 'patch', attrs: {}, content: p.bytes })) }]
          : [],
      });
    }
    return out;
  }
}
