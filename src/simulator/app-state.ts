import {
  chatModificationToAppPatch,
  decodeSyncdPatch,
  encodeSyncdPatch,
  newLTHashState,
  proto,
  ALL_WA_PATCH_NAMES,
  type BinaryNode,
  type ChatModification,
  type ChatMutation,
  type WAPatchName,
} from '@whiskeysockets/baileys';
import { createHmac, hkdfSync } from 'node:crypto';
import { encryptMedia } from './media/crypto.js';
import type { MediaHost } from './media/host.js';
import { children, child } from './util/nodes.js';
import type { AppStateCollection } from './state.js';
import type { SeededRandom } from './util/rng.js';

/** A corrupt patch the phone will replace: after `failuresBeforeRepair` failed fetches, snapshots heal it. */
interface Damage {
  version: number;
  repairable: boolean;
  /** Answers that carried the corrupt patch so far. */
  served: number;
  repaired: boolean;
}

/** Fetches that fail on a repairable corrupt patch before the phone repairs it: Baileys' two attempts. */
const FAILURES_BEFORE_REPAIR = 2;

/**
 * The account's app-state (syncd) server: one shared key the phone hands to companions, and
 * per-collection patch logs that the client pulls with `w:sync:app:state`.
 */
export class AppStateServer {
  readonly keyId: Buffer;
  private readonly keyData: Buffer;
  /** Key for snapshot MACs: bytes 96–127 of HKDF(keyData, "WhatsApp Mutation Keys") (expandAppStateKeys). */
  private readonly snapshotMacKey: Buffer;
  /** Corrupt patches per collection name. */
  private readonly damage = new Map<string, Damage[]>();
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
    this.snapshotMacKey = Buffer.from(hkdfSync('sha256', this.keyData, Buffer.alloc(0), 'WhatsApp Mutation Keys', 160)).subarray(96, 128);
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
   * `repairable`: after those two failed fetches the phone repairs the collection — the corrupt
   * patch is withdrawn and a fetch asking for a snapshot gets a valid one — so a later resync
   * (an app's soft resync from version 0) succeeds.
   */
  pushCorrupt(name: WAPatchName, repairable = false): { collection: WAPatchName; version: number; keyId: string } {
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
    this.damage.set(name, [...(this.damage.get(name) ?? []), { version, repairable, served: 0, repaired: false }]);
    return { collection: name, version, keyId: unknownKey.toString('base64') };
  }

  latestVersion(name: WAPatchName): number {
    return this.collection(name).state.version;
  }

  /**
   * A patch a companion uploaded (archive, pin, mute, delete-for-me…) on top of `baseVersion`: MACs
   * checked with the shared key, appended to the log as the next version (so other devices fetch it),
   * and its mutations returned for observers (#14).
   */
  async acceptClientPatch(name: string, baseVersion: number, bytes: Uint8Array): Promise<ChatMutation[]> {
    const col = this.collection(name as WAPatchName);
    if (baseVersion !== col.state.version) throw new Error(`app-state ${name}: patch on version ${baseVersion}, server is at ${col.state.version}`);
    const version = baseVersion + 1;
    const patch = { ...proto.SyncdPatch.decode(bytes), version: { version } };
    const keyIdB64 = this.keyId.toString('base64');
    const mutations: ChatMutation[] = [];
    const next = await decodeSyncdPatch(patch, name as WAPatchName, col.state, async id => (id === keyIdB64 ? { keyData: this.keyData } : undefined), m => mutations.push(m), true);
    col.state = { ...col.state, ...next, version };
    col.patches.push({ version, bytes: Buffer.from(proto.SyncdPatch.encode(patch).finish()) });
    return mutations;
  }

  /**
   * Answers `<iq xmlns="w:sync:app:state"><sync><collection name version return_snapshot/>…`: the
   * patches after `version`. No snapshots (Baileys accepts answers without one, even from version 0),
   * except for a collection the phone has repaired, when the client asks for one.
   */
  async answer(request: BinaryNode, media: MediaHost): Promise<BinaryNode[]> {
    const out: BinaryNode[] = [];
    for (const req of children(child(request, 'sync'), 'collection')) {
      const name = req.attrs.name ?? '';
      const col = this.collections.get(name);
      if (!col) {
        out.push({ tag: 'collection', attrs: { name, type: 'error' }, content: [{ tag: 'error', attrs: { code: '404', text: 'item-not-found' } }] });
        continue;
      }
      const from = Number(req.attrs.version ?? '0');
      const damaged = this.damage.get(name) ?? [];
      const withdrawn = new Set(damaged.filter(d => d.repaired).map(d => d.version));
      const repaired = withdrawn.size > 0;
      if (repaired && req.attrs.return_snapshot === 'true') {
        out.push({
          tag: 'collection',
          attrs: { name, version: String(col.state.version) },
          content: [{ tag: 'snapshot', attrs: {}, content: await this.snapshotBlob(name as WAPatchName, col, media) }],
        });
        continue;
      }
      const patches = col.patches.filter(p => p.version > from && !withdrawn.has(p.version));
      for (const d of damaged) {
        if (d.repaired || d.version <= from) continue;
        d.served++;
        if (d.repairable && d.served >= FAILURES_BEFORE_REPAIR) d.repaired = true;
      }
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

  /**
   * The collection's current state as a `SyncdSnapshot` (the latest record per index from every
   * valid patch, the server's LT hash and its MAC), uploaded like media (`md-app-state` keys) and
   * referenced by an `ExternalBlobReference`, which is all a `<snapshot>` node carries.
   */
  private async snapshotBlob(name: WAPatchName, col: AppStateCollection, media: MediaHost): Promise<Buffer> {
    const records = new Map<string, proto.ISyncdRecord>();
    for (const { bytes } of col.patches) {
      const patch = proto.SyncdPatch.decode(bytes);
      if (!patch.keyId?.id || !this.keyId.equals(Buffer.from(patch.keyId.id))) continue; // corrupt noise
      for (const mutation of patch.mutations ?? []) {
        const index = mutation.record?.index?.blob;
        if (!index) continue;
        const key = Buffer.from(index).toString('base64');
        if (mutation.operation === proto.SyncdMutation.SyncdOperation.REMOVE) records.delete(key);
        else if (mutation.record) records.set(key, mutation.record);
      }
    }
    const version = col.state.version;
    // generateSnapshotMac (Utils/chat-utils.js): HMAC-SHA256(lthash ‖ uint64be(version) ‖ name).
    const versionBytes = Buffer.alloc(8);
    versionBytes.writeUInt32BE(version, 4);
    const mac = createHmac('sha256', this.snapshotMacKey).update(Buffer.from(col.state.hash)).update(versionBytes).update(name, 'utf8').digest();
    const snapshot = proto.SyncdSnapshot.encode({ version: { version }, records: [...records.values()], mac, keyId: { id: this.keyId } }).finish();
    const encrypted = await encryptMedia(Buffer.from(snapshot), 'md-app-state');
    const { id, directPath } = media.putDirect(encrypted.file);
    return Buffer.from(
      proto.ExternalBlobReference.encode({
        mediaKey: encrypted.mediaKey,
        directPath,
        handle: id,
        fileSizeBytes: encrypted.fileLength,
        fileSha256: encrypted.fileSha256,
        fileEncSha256: encrypted.fileEncSha256,
      }).finish(),
    );
  }
}
