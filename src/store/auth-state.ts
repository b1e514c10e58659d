/**
 * Baileys auth state stored in SQLite (the only Baileys-specific module of the store).
 *
 * `const { state, saveCreds } = useStoreAuthState(store); makeWASocket({ auth: state });
 *  sock.ev.on('creds.update', saveCreds);`
 *
 * - creds and signal keys are JSON written with Baileys' `BufferJSON.replacer` and read with its
 *   `reviver`, so every Buffer / Uint8Array round-trips byte for byte;
 * - `app-state-sync-key` values are revived as `proto.Message.AppStateSyncKeyData` instances, as
 *   Baileys' own file store does;
 * - one `keys.set(...)` call is one SQLite transaction: a crash never leaves half of a key update;
 * - `clear()` deletes only the auth tables (used on logout / 401): chats and messages stay.
 */
import {
  BufferJSON,
  initAuthCreds,
  proto,
  type AuthenticationCreds,
  type AuthenticationState,
  type SignalDataSet,
  type SignalDataTypeMap,
} from '@whiskeysockets/baileys';
import type Database from 'better-sqlite3';

export interface StoreAuthState {
  state: AuthenticationState;
  saveCreds: () => Promise<void>;
  /** Wipe creds and keys (auth tables only); `state.creds` is replaced by fresh credentials. */
  clear: () => void;
}

function toJson(value: unknown): string {
  return JSON.stringify(value, BufferJSON.replacer);
}

function fromJson(text: string): unknown {
  return JSON.parse(text, BufferJSON.reviver) as unknown;
}

/** True when the store holds saved credentials (i.e. a device was paired). */
export function hasStoredCreds(store: { db: Database.Database }): boolean {
  return store.db.prepare('SELECT 1 FROM auth_creds WHERE id = 1').get() !== undefined;
}

export function useStoreAuthState(store: { db: Database.Database }): StoreAuthState {
  const db = store.db;
  const readCreds = db.prepare<[], { data: string }>('SELECT data FROM auth_creds WHERE id = 1');
  const writeCreds = db.prepare<[string]>(
    'INSERT INTO auth_creds (id, data) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data',
  );
  const readKeys = db.prepare<[string, string], { id: string; data: string }>(
    'SELECT id, data FROM auth_keys WHERE type = ? AND id IN (SELECT value FROM json_each(?))',
  );
  const writeKey = db.prepare<[string, string, string]>(
    'INSERT INTO auth_keys (type, id, data) VALUES (?, ?, ?) ON CONFLICT (type, id) DO UPDATE SET data = excluded.data',
  );
  const deleteKey = db.prepare<[string, string]>('DELETE FROM auth_keys WHERE type = ? AND id = ?');

  const stored = readCreds.get();
  const creds: AuthenticationCreds = stored ? (fromJson(stored.data) as AuthenticationCreds) : initAuthCreds();

  const setKeys = db.transaction((data: SignalDataSet) => {
    for (const type of Object.keys(data) as Array<keyof SignalDataTypeMap>) {
      const entries = data[type];
      if (!entries) continue;
      for (const [id, value] of Object.entries(entries)) {
        if (value === null || value === undefined) deleteKey.run(type, id);
        else writeKey.run(type, id, toJson(value));
      }
    }
  });

  const state: AuthenticationState = {
    creds,
    keys: {
      get: async <T extends keyof SignalDataTypeMap>(type: T, ids: string[]) => {
        const out: { [id: string]: SignalDataTypeMap[T] } = {};
        if (ids.length === 0) return out;
        for (const row of readKeys.all(type, JSON.stringify(ids))) {
          let value = fromJson(row.data);
          if (type === 'app-state-sync-key' && value !== null && typeof value === 'object') {
            value = proto.Message.AppStateSyncKeyData.fromObject(value as Record<string, unknown>);
          }
          out[row.id] = value as SignalDataTypeMap[T];
        }
        return out;
      },
      set: async (data: SignalDataSet) => {
        setKeys.immediate(data);
      },
      clear: async () => {
        db.prepare('DELETE FROM auth_keys').run();
      },
    },
  };

  return {
    state,
    saveCreds: async () => {
      writeCreds.run(toJson(state.creds));
    },
    clear: () => {
      db.transaction(() => {
        db.prepare('DELETE FROM auth_keys').run();
        db.prepare('DELETE FROM auth_creds').run();
      })();
      state.creds = initAuthCreds();
    },
  };
}
