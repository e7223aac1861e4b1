/**
 * Polls `probe` until it returns something other than `undefined`/`false`, and returns that.
 * The budget is real time, not a count of turns: a loaded CI machine may need many turns
 * of the event loop before a store write lands. It bounds a wait; it never asserts speed.
 */
export async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
