/** Exit codes of the `orchkit` command. */
export const ExitCode = {
  ok: 0,
  /** The run failed, was cancelled or timed out. */
  runFailed: 1,
  /** The definition (or the command line) is invalid. */
  invalid: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
