/** Tool calls that may settle, one after the other, before the event loop gets a turn. */
const CALLS_PER_TURN = 64;

let settled = 0;

/**
 * Passes a tool call's outcome on, and after every {@link CALLS_PER_TURN}th one (process-wide)
 * first lets the event loop take a turn (`setImmediate`). Tools that answer without I/O settle in
 * microtasks, and each settled call starts the next step in the same turn, so a long run of such
 * steps would hold the event loop for all of it (1,000 steps: seconds); paced, a turn holds about
 * 64 steps' work, and timers, I/O and other runs go on in between.
 *
 * @example
 * return paceTurns(services.callTool(tool, input, ctx));
 */
export function paceTurns<T>(outcome: Promise<T>): Promise<T> {
  settled = (settled + 1) % CALLS_PER_TURN;
  if (settled !== 0) return outcome;
  const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  return outcome.then(
    async (value) => {
      await turn();
      return value;
    },
    async (error: unknown) => {
      await turn();
      throw error;
    },
  );
}
