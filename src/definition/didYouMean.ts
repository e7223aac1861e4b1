/** Names are compared on at most this many characters, so one hint costs at most 64² steps per candidate. */
const MAX_COMPARED = 64;

/** Levenshtein distance, stopping early once it must exceed `limit` (suggestions only). */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] ?? 0;
    row[0] = i;
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] ?? 0;
      row[j] = Math.min(current + 1, (row[j - 1] ?? 0) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
      if ((row[j] as number) < best) best = row[j] as number;
    }
    if (best > limit) return limit + 1;
  }
  return row[b.length] ?? 0;
}

/**
 * The closest known name, when it is close enough to be a likely typo. Linear in the number of
 * candidates: names are compared on their first {@link MAX_COMPARED} characters, and a
 * candidate whose length alone puts it out of reach is skipped.
 *
 * @example
 * didYouMean('analyse_repository', ['analyze_repository']); // 'analyze_repository'
 */
export function didYouMean(name: string, known: Iterable<string>): string | undefined {
  const wanted = name.slice(0, MAX_COMPARED).toLowerCase();
  const limit = Math.max(2, Math.floor(wanted.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of known) {
    const d = distance(wanted, candidate.slice(0, MAX_COMPARED).toLowerCase(), bestDistance - 1);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
    if (bestDistance === 0) break;
  }
  return best;
}
