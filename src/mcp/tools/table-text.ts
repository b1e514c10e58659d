/**
 * The text block of a tool result, the form most clients hand to the model (issue #13: what a model reads
 * per message). It carries the same data as `structuredContent`, as JSON, with one change of layout: every
 * list of two or more objects is written as a table, `{"columns": [...], "rows": [[...], ...]}`, so a field
 * name is read once per list instead of once per row (list_messages 201 → 163 characters per message,
 * search_messages 259 → 210 per hit on the reading bench). A cell is `null` where the row has no such field.
 * `structuredContent` keeps the objects its output schema declares, for clients that read it.
 */

/** Lists shorter than this stay objects: a table header costs more than it saves on one row. */
const MIN_ROWS = 2;

export interface Table {
  columns: string[];
  rows: unknown[][];
}

function isRow(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * `value` with every list of ≥ MIN_ROWS objects (at any depth) turned into a Table. Objects and lists with
 * no such list inside are returned as they are, not copied (half the cost of a list_chats text block).
 */
export function tabulate(value: unknown): unknown {
  if (Array.isArray(value)) {
    if (value.length >= MIN_ROWS && value.every(isRow)) {
      const columns: string[] = [];
      const seen = new Set<string>();
      for (const row of value) {
        for (const k of Object.keys(row)) {
          if (!seen.has(k)) {
            seen.add(k);
            columns.push(k);
          }
        }
      }
      return { columns, rows: value.map((row) => columns.map((c) => (row[c] === undefined ? null : tabulate(row[c])))) } satisfies Table;
    }
    let copy: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v = tabulate(value[i]);
      if (v !== value[i]) (copy ??= value.slice())[i] = v;
    }
    return copy ?? value;
  }
  if (isRow(value)) {
    let copy: Record<string, unknown> | null = null;
    for (const k of Object.keys(value)) {
      const v = value[k];
      if (v === null || typeof v !== 'object') continue;
      const t = tabulate(v);
      if (t !== v) (copy ??= { ...value })[k] = t;
    }
    return copy ?? value;
  }
  return value;
}

export function tableText(data: Record<string, unknown>): string {
  return JSON.stringify(tabulate(data));
}
