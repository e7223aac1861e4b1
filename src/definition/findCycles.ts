/**
 * Finds dependency cycles, each named as a path that returns to its start: `a -> b -> c -> a`.
 * One cycle is reported per strongly connected group, so a tangle is not reported many times.
 * The depth-first search keeps its own stack, so a chain of 10,000 steps does not overflow the
 * call stack.
 *
 * @example
 * findCycles(new Map([['a', ['b']], ['b', ['a']]])); // [['a', 'b', 'a']]
 */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const position = new Map<string, number>();
  const next: number[] = [];
  const cycles: string[][] = [];
  const reported = new Set<string>();

  const open = (node: string): void => {
    state.set(node, 'open');
    position.set(node, path.length);
    path.push(node);
    next.push(0);
  };

  for (const root of graph.keys()) {
    if (state.has(root)) continue;
    open(root);
    while (path.length > 0) {
      const top = path.length - 1;
      const node = path[top] as string;
      const edges = graph.get(node) ?? [];
      const i = next[top] as number;
      if (i >= edges.length) {
        path.pop();
        next.pop();
        position.delete(node);
        state.set(node, 'done');
        continue;
      }
      next[top] = i + 1;
      const target = edges[i] as string;
      if (!graph.has(target)) continue;
      const seen = state.get(target);
      if (seen === 'open') {
        const cycle = path.slice(position.get(target));
        if (!cycle.some((n) => reported.has(n))) {
          cycle.forEach((n) => reported.add(n));
          cycles.push([...cycle, target]);
        }
      } else if (seen === undefined) {
        open(target);
      }
    }
  }
  return cycles;
}
