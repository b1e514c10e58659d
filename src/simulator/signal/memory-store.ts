import type { SignalDataSet, SignalDataTypeMap, SignalKeyStore } from '@whiskeysockets/baileys';

export type StoreRecord = Record<string, Record<string, unknown>>;

/**
 * A SignalKeyStore over a plain object, so a fake party's Signal state lives inside the
 * simulator's exportable state. Values are kept as given (Buffers survive BufferJSON).
 */
export function makeMemoryKeyStore(record: StoreRecord): SignalKeyStore {
  return {
    get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]): { [id: string]: SignalDataTypeMap[T] } {
      const bucket = record[type] ?? {};
      const out: { [id: string]: SignalDataTypeMap[T] } = {};
      for (const id of ids) {
        const value = bucket[id];
        // Values were stored by the same typed API; the map only erases the type.
        if (value !== undefined && value !== null) out[id] = value as SignalDataTypeMap[T];
      }
      return out;
    },
    set(data: SignalDataSet): void {
      for (const [type, values] of Object.entries(data)) {
        if (!values) continue;
        const bucket = (record[type] ??= {});
        for (const [id, value] of Object.entries(values)) {
          if (value === null || value === undefined) delete bucket[id];
          else bucket[id] = value;
        }
      }
    },
  };
}
