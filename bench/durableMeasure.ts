// Shared by the durable benchmarks: the chain length, the throughput loop, and the interleaved
// comparison of end-to-end contenders.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';

/** Steps per chain in every durable benchmark. */
export const CHAIN_STEPS = 10;

/** What each step of the paced chain waits (a timer), as a tool waits on a CLI or a network call. */
export const PACED_STEP_MS = 2;

/** The paced chain's unit of work: n + 1 after {@link PACED_STEP_MS} of waiting. */
export const pacedWork = async (n: number): Promise<{ n: number }> => {
  await new Promise((resolve) => setTimeout(resolve, PACED_STEP_MS));
  return { n: n + 1 };
};

/** One system under test, opened and ready: runs a chain, tells what a step costs, closes. */
export interface DurableContender {
  /** Runs one chain; resolves once its last durable write is committed. */
  runOne(): Promise<void>;
  /** What one step costs (store calls, round trips, bytes), counted over a few untimed chains. */
  costPerStep(): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/** Durable steps per second, one chain at a time (`x1`) and 8 chains at once (`x8`). */
export interface Throughput {
  x1: number;
  x8: number;
}

/** Runs `chains` chains, `concurrency` at a time, and returns the milliseconds it took. */
async function timeChains(chains: number, concurrency: number, runOne: (id: string) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < chains) await runOne(`x${next++}-${randomBytes(3).toString('hex')}`);
    }),
  );
  return performance.now() - started;
}

/**
 * Runs `chains` chains, `concurrency` at a time (each worker starts its next chain when its last
 * one is done), and returns durable steps per second.
 */
export async function measure(chains: number, concurrency: number, runOne: (id: string) => Promise<void>): Promise<number> {
  const ms = await timeChains(chains, concurrency, runOne);
  return Math.round((chains * CHAIN_STEPS) / (ms / 1000));
}

/**
 * Measures contenders side by side: a warm-up each, then `rounds` rounds of `chains / rounds`
 * chains per contender and concurrency, the contenders' order alternating from round to round,
 * so drift in the machine's load hits all of them alike.
 */
export async function compareContenders<Name extends string>(contenders: Record<Name, DurableContender>, chains: number, rounds = 2): Promise<Record<Name, Throughput>> {
  const names = Object.keys(contenders) as Name[];
  const perRound = Math.ceil(chains / rounds);
  const spent = new Map<string, number>();
  for (const name of names) await timeChains(Math.ceil(chains / 10), 1, () => contenders[name].runOne());
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const concurrency of [1, 8]) {
      for (const name of order) {
        const ms = await timeChains(perRound, concurrency, () => contenders[name].runOne());
        spent.set(`${name} ${concurrency}`, (spent.get(`${name} ${concurrency}`) ?? 0) + ms);
      }
    }
  }
  const rate = (name: Name, concurrency: number): number => Math.round((perRound * rounds * CHAIN_STEPS) / ((spent.get(`${name} ${concurrency}`) ?? Infinity) / 1000));
  return Object.fromEntries(names.map((name) => [name, { x1: rate(name, 1), x8: rate(name, 8) }])) as Record<Name, Throughput>;
}
