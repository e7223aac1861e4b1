/** Deeper than this is counted as over any cap (a cycle, or nesting no trace needs to keep). */
const MAX_DEPTH = 200;

// Walk state, module-level so the recursion passes nothing but the value and its depth.
let total = 0;
let limit = 0;
let over = false;

function walk(v: unknown, depth: number): void {
  switch (typeof v) {
    case 'string':
      total += v.length + 2;
      return;
    case 'number':
    case 'bigint':
      total += 8;
      return;
    case 'boolean':
      total += 5;
      return;
    case 'object': {
      if (v === null) {
        total += 4;
        return;
      }
      if (depth >= MAX_DEPTH) {
        over = true;
        return;
      }
      if (Array.isArray(v)) {
        total += 2 + v.length;
        for (let i = 0; i < v.length && !over && total <= limit; i++) walk(v[i], depth + 1);
        return;
      }
      total += 2;
      const record = v as Record<string, unknown>;
      for (const key in record) {
        if (!Object.hasOwn(record, key)) continue;
        total += key.length + 4;
        walk(record[key], depth + 1);
        if (over || total > limit) return;
      }
      return;
    }
    default:
      total += 4; // undefined, functions, symbols: dropped or null in JSON
  }
}

/**
 * About how many bytes `value` takes as JSON: string lengths (UTF-16 code units) plus quotes,
 * 8 per number, key names, punctuation. Stops once past `cap` and returns `cap + 1`, so a huge
 * value costs at most `cap` worth of walking; nesting deeper than 200 (a cycle, say) counts as
 * past the cap. For byte budgets (bus history), where an estimate in time linear in the value is
 * what matters, not JSON.stringify's exact length.
 *
 * @example
 * approxBytes({ a: 'xyz', n: [1, 2] }); // 32
 */
export function approxBytes(value: unknown, cap = Number.POSITIVE_INFINITY): number {
  total = 0;
  limit = cap;
  over = false;
  walk(value, 0);
  return over || total > cap ? cap + 1 : total;
}
