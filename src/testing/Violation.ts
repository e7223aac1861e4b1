/** A broken invariant, with the shortest path that breaks it. */
export interface Violation {
  invariant: string;
  /** The shortest violating path (model events); the first found among equally short ones. */
  path: string[];
  message: string;
  /** How many replayed paths broke it. */
  count: number;
}

/**
 * Keeps one violation per invariant: the one with the shortest path.
 *
 * @example
 * shortestViolations([{ invariant: 'x', message: 'm', path: ['a.OK', 'b.TIMEOUT'] }, { invariant: 'x', message: 'n', path: ['b.TIMEOUT'] }]);
 * // [{ invariant: 'x', message: 'n', path: ['b.TIMEOUT'], count: 2 }]
 */
export function shortestViolations(breaches: readonly { invariant: string; message: string; path: string[] }[]): Violation[] {
  const byInvariant = new Map<string, { violation: Violation; paths: Set<string[]> }>();
  for (const breach of breaches) {
    const known = byInvariant.get(breach.invariant);
    if (!known) {
      byInvariant.set(breach.invariant, { violation: { ...breach, count: 0 }, paths: new Set([breach.path]) });
      continue;
    }
    known.paths.add(breach.path);
    if (breach.path.length < known.violation.path.length) Object.assign(known.violation, { path: breach.path, message: breach.message });
  }
  return [...byInvariant.values()].map(({ violation, paths }) => ({ ...violation, count: paths.size }));
}
