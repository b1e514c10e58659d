import { BufferJSON, type LTHashState } from '@whiskeysockets/baileys';
import { peekGroupExtras, restoreGroupExtras, type GroupExtras } from './group-admin.js';
import type { SimulatorGroup } from './groups.js';
import type { OutboxEntry } from './outbox.js';
import type { SimulatorStateSnapshot } from './types.js';

/** A Signal key bundle as uploaded by a companion (`encrypt set`), keys are 32-byte publics. */
export interface UploadedBundle {
  registrationId: number;
  identityKey: Buffer;
  signedPreKey: { keyId: number; publicKey: Buffer; signature: Buffer };
  /** One-time prekeys not yet handed out, by id. */
  preKeys: Map<number, Buffer>;
}

/** The offline-queue entry of exported states from before the outbox (messages from contacts only). */
interface LegacyPendingMessage {
  /** Sender contact's phone number. */
  from: string;
  id: string;
  t: string;
  /** Encoded proto.Message (encrypted only at delivery time, against the then-current session). */
  message: Buffer;
  plaintext: boolean;
}

/** A linked companion device, as the server remembers it across reconnects. */
export interface DeviceRecord {
  device: number;
  /** `<pn>:<device>@s.whatsapp.net` */
  jid: string;
  /** `<lid>:<device>@lid` */
  lid: string;
  /** Client static noise key: a login must come from the key that paired. */
  noiseKey: Buffer;
  identityKey: Buffer;
  keyIndex: number;
  platform: string;
  bundle: UploadedBundle | undefined;
  /** The phone sends the inline history sync / app-state keys once per device. */
  bootstrapped: boolean;
  /**
   * Everything sent to this device and not yet acknowledged by it, in send order, by ack key
   * (see outbox.ts): redelivered as `offline` stanzas on the next login.
   */
  outbox: Map<string, OutboxEntry>;
}

/** One app-state collection's server log: the LT-hash state and every patch, encoded. */
export interface AppStateCollection {
  state: LTHashState;
  patches: { version: number; bytes: Buffer }[];
}

/** A group as exported: the model plus what group-admin.ts keeps beside it (description, settings, invite). */
type ExportedGroup = SimulatorGroup & { extras?: GroupExtras };

/**
 * Everything the simulated server persists: linked devices (with their uploaded prekeys and offline
 * queues), the contacts' Signal stores, the app-state log, the groups (created, renamed, joined, left,
 * with their settings and invite codes) and the block list. Lives in memory; export/import lets a test
 * restart the simulator.
 */
export class SimulatorState {
  devices = new Map<number, DeviceRecord>();
  nextDevice = 1;
  nextKeyIndex = 1;
  /** Per fake-contact Signal key store contents: contact number → type → id → value. */
  contactStores = new Map<string, Record<string, Record<string, unknown>>>();
  /** The account's app-state collections (shared by all its devices), by name. */
  appState = new Map<string, AppStateCollection>();
  /**
   * The account's groups, `null` until seeded: the simulator seeds them from its seed on first start and
   * keeps this very array as `sim.groups`, so every change made through the protocol is exported.
   */
  groups: SimulatorGroup[] | null = null;
  /** Blocked JIDs (as the block list iq names them). */
  blocklist = new Set<string>();

  findByNoiseKey(noiseKey: Uint8Array): DeviceRecord | undefined {
    for (const record of this.devices.values()) {
      if (Buffer.compare(record.noiseKey, Buffer.from(noiseKey)) === 0) return record;
    }
    return undefined;
  }

  export(): SimulatorStateSnapshot {
    const devices = [...this.devices.values()].map(d => ({
      ...d,
      bundle: d.bundle ? { ...d.bundle, preKeys: [...d.bundle.preKeys.entries()] } : undefined,
      outbox: [...d.outbox.values()],
    }));
    const data = JSON.stringify(
      {
        devices,
        nextDevice: this.nextDevice,
        nextKeyIndex: this.nextKeyIndex,
        contactStores: [...this.contactStores.entries()],
        appState: [...this.appState.entries()],
        groups: this.groups?.map((g): ExportedGroup => {
          const extras = peekGroupExtras(g);
          return extras ? { ...g, extras } : { ...g };
        }),
        blocklist: [...this.blocklist],
      },
      BufferJSON.replacer,
    );
    return { version: 1, data };
  }

  static import(snapshot: SimulatorStateSnapshot): SimulatorState {
    if (snapshot.version !== 1) throw new Error(`unsupported simulator state version ${String(snapshot.version)}`);
    const parsed: unknown = JSON.parse(snapshot.data, BufferJSON.reviver);
    const raw = parsed as {
      devices: Array<
        Omit<DeviceRecord, 'bundle' | 'outbox'> & {
          bundle?: Omit<UploadedBundle, 'preKeys'> & { preKeys: [number, Buffer][] };
          outbox?: OutboxEntry[];
          pending?: LegacyPendingMessage[];
        }
      >;
      nextDevice: number;
      nextKeyIndex: number;
      contactStores: [string, Record<string, Record<string, unknown>>][];
      appState?: [string, AppStateCollection][];
      /** Absent in states exported before groups were persisted: those are seeded again. */
      groups?: ExportedGroup[];
      blocklist?: string[];
    };
    const state = new SimulatorState();
    for (const { pending, outbox, ...d } of raw.devices) {
      const entries: OutboxEntry[] = outbox ?? (pending ?? []).map(p => legacyEntry(p));
      state.devices.set(d.device, {
        ...d,
        bundle: d.bundle ? { ...d.bundle, preKeys: new Map(d.bundle.preKeys) } : undefined,
        outbox: new Map(entries.map(e => [e.key, e])),
      });
    }
    state.nextDevice = raw.nextDevice;
    state.nextKeyIndex = raw.nextKeyIndex;
    state.contactStores = new Map(raw.contactStores);
    state.appState = new Map(raw.appState ?? []);
    state.groups =
      raw.groups?.map(({ extras, ...g }) => {
        if (extras) restoreGroupExtras(g, extras);
        return g;
      }) ?? null;
    state.blocklist = new Set(raw.blocklist ?? []);
    return state;
  }
}

function legacyEntry(p: LegacyPendingMessage): OutboxEntry {
  return {
    key: `message|${p.id}`,
    id: p.id,
    stanza: 'message',
    t: p.t,
    queuedAt: Number(p.t) * 1000,
    payload: { kind: 'contact', from: p.from, message: p.message, plaintext: p.plaintext },
  };
}
