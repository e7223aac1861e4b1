import type { ErrorInfo } from '../../errors/ErrorInfo.js';

/** The backoff a crash's restart strategy asked for, when it asked for a restart. */
export function restartDelay(error: ErrorInfo): number | undefined {
  const details = error.details as { restart?: unknown; restartDelayMs?: unknown } | undefined;
  return details?.restart === true && typeof details.restartDelayMs === 'number' ? details.restartDelayMs : undefined;
}
