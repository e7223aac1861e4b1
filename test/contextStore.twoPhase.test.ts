// The two-phase write of shared context (draft → store → put) and the undo of a write behind that
// the store refused (revert), on the in-memory context store: for any sequence of writes,
// refusals, two-phase writes and time, reads answer what a simple model says and the expiry
// heap stays bounded.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import type { ContextEntry } from '../src/actors/SessionContext.js';
import { createContextStore } from '../src/runtime/ContextStore.js';

type Op =
  | { kind: 'share'; t: number; ttl: number }
  | { kind: 'refuse' }
  | { kind: 'twoPhase'; t: number; ttl: number }
  | { kind: 'advance'; ms: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('share' as const), t: fc.nat(2), ttl: fc.integer({ min: 1, max: 3000 }) }),
  fc.record({ kind: fc.constant('refuse' as const) }),
  fc.record({ kind: fc.constant('twoPhase' as const), t: fc.nat(2), ttl: fc.integer({ min: 1, max: 3000 }) }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.nat(2000) }),
);

describe('context store: two-phase writes and reverts', () => {
  it('for any sequence, a refused write is undone to the entry it replaced and the heap stays bounded', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const clock = new SimulatedClock();
        const written: { entry: ContextEntry; previous: ContextEntry | undefined }[] = [];
        const store = createContextStore({ clock, onShared: (entry, previous) => written.push({ entry, previous }) });
        const model = new Map<string, ContextEntry>();
        const session = store.forSession('s');
        let value = 0;
        for (const step of ops) {
          if (step.kind === 'advance') clock.increment(step.ms);
          else if (step.kind === 'share') model.set(`t${step.t}`, session.share(`t${step.t}`, (value += 1), { ttlMs: step.ttl }));
          else if (step.kind === 'twoPhase') {
            const entry = store.draft('s', 'tool', `t${step.t}`, (value += 1), { ttlMs: step.ttl });
            // Nothing is stored until `put`.
            const before = model.get(`t${step.t}`);
            expect(session.get(`t${step.t}`)).toEqual(before !== undefined && before.expiresAt > clock.now() ? before : undefined);
            store.put(entry);
            model.set(`t${step.t}`, entry);
          } else {
            // Refusals come in write order (the persistence queue is FIFO).
            const last = written.shift();
            if (last === undefined) continue;
            // Undone only while the refused entry is the one stored (not replaced, deleted or expired since).
            const current = model.get(last.entry.contextType) === last.entry && last.entry.expiresAt > clock.now();
            expect(store.revert(last.entry, last.previous)).toBe(current);
            if (current) {
              if (last.previous !== undefined && last.previous.expiresAt > clock.now()) model.set(last.entry.contextType, last.previous);
              else model.delete(last.entry.contextType);
            }
          }
          for (let t = 0; t <= 2; t++) {
            const want = model.get(`t${t}`);
            const live = want !== undefined && want.expiresAt > clock.now() ? want : undefined;
            expect(session.get(`t${t}`)?.data).toBe(live?.data);
            expect(session.get(`t${t}`)?.version).toBe(live?.version);
          }
          const stats = store.stats();
          expect(stats.heapNodes).toBeLessThanOrEqual(2 * stats.live + 1);
        }
        clock.increment(10_000);
        expect(store.size).toBe(0);
        store.stop();
      }),
      { seed: 13, numRuns: 300 },
    );
  });
});
