/**
 * Runs a work generator to its end, giving the event loop a turn (`setImmediate`) at each of its
 * yields: timers, I/O and other requests run between chunks of a long validation instead of
 * waiting for all of it. The async face of {@link runToEnd}.
 *
 * @example
 * const issue = await runInTurns(walkDefinitionShape(value));
 */
export async function runInTurns<T>(work: Generator<undefined, T>): Promise<T> {
  for (;;) {
    const next = work.next();
    if (next.done === true) return next.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
