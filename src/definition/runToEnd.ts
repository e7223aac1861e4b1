/**
 * Runs a work generator to its end in one turn and returns its result: the synchronous face of
 * work that an async caller splits into turns with {@link runInTurns}.
 *
 * @example
 * const issue = runToEnd(walkDefinitionShape(value));
 */
export function runToEnd<T>(work: Generator<undefined, T>): T {
  for (;;) {
    const next = work.next();
    if (next.done === true) return next.value;
  }
}
