/**
 * Finds dependency cycles, each named as a path that returns to its start: `a -> b -> c -> a`.
 * One cycle is reported per strongly connected group, so a tangle is not reported many times.
 *
 * @example
 * findCycles(new Map([['a', ['b']], ['b', ['a']]])); // [['a', 'b', 'a']]
 */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const reported = new Set<string>();

  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      const seen = state.get(next);
      if (seen === 'open') {
        const cycle = stack.slice(stack.lastIndexOf(next));
        if (!cycle.some((n) => reported.has(n))) {
          cycle.forEach((n) => reported.add(n));
          cycles.push([...cycle, next]);
        }
      } else if (seen === undefined) {
        visit(next);
      }
    }
    stack.pop();
    state.set(node, 'done');
  };

  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return cycles;
}
