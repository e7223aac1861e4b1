import { Writable } from 'node:stream';

/** Standard error that can be held: while a live display owns the terminal, log lines wait. */
export interface HeldStderr {
  readonly stream: Writable;
  /** Keeps what is written until {@link release}. */
  hold(): void;
  /** Writes what was kept, in order, and writes through again. */
  release(): void;
}

/**
 * The CLI's log destination. Log lines written between a live step list's frames would break
 * the list (it redraws the lines above the cursor), so `run` holds them while the list renders
 * and prints them after it.
 *
 * @example
 * heldStderr.hold(); await list.run(); heldStderr.release();
 */
export const heldStderr: HeldStderr = (() => {
  let kept: Buffer[] | undefined;
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (kept) kept.push(chunk);
      else process.stderr.write(chunk);
      done();
    },
  });
  return {
    stream,
    hold() {
      kept ??= [];
    },
    release() {
      const lines = kept ?? [];
      kept = undefined;
      for (const line of lines) process.stderr.write(line);
    },
  };
})();
