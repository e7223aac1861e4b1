import { readItem, toItemTable, type ItemTable } from './ItemTable.js';
import type { StepState } from './WorkflowContext.js';

/** Where each step's record sits in a step table: the definition's step ids in order. */
export interface StepLayout {
  readonly ids: readonly string[];
  readonly position: ReadonlyMap<string, number>;
}

export function stepLayout(ids: readonly string[]): StepLayout {
  return { ids, position: new Map(ids.map((id, i) => [id, i])) };
}

const TABLE = Symbol('orchkit.stepTable');

interface Target {
  layout: StepLayout;
  table: ItemTable<StepState>;
}

const read = (target: Target, key: string | symbol): StepState | undefined => {
  if (typeof key !== 'string') return undefined;
  const position = target.layout.position.get(key);
  return position === undefined ? undefined : (readItem(target.table, position) ?? undefined);
};

// A read-only record of plain data: every reader (CEL scopes, results, JSON, XState's snapshot
// persistence, Inspector) sees `{ [stepId]: StepState }`; writes go through a WorkflowDraft.
const handler: ProxyHandler<Target> = {
  get: (target, key) => (key === TABLE ? target : read(target, key)),
  has: (target, key) => typeof key === 'string' && target.layout.position.has(key),
  ownKeys: (target) => target.layout.ids.slice(),
  getOwnPropertyDescriptor: (target, key) => {
    const value = read(target, key);
    return value === undefined ? undefined : { value, writable: false, enumerable: true, configurable: true };
  },
  set: () => false,
  defineProperty: () => false,
  deleteProperty: () => false,
};

/**
 * The steps of a workflow context as a record over a chunked, copy-on-write table: an event that
 * changes one step of a 1,000-step workflow copies one chunk of 32 records and the chunk list,
 * not 1,000 entries, so run time stays linear in steps. It reads (and serializes to JSON) exactly
 * as the plain record `{ [stepId]: StepState }` it stands for.
 */
export function stepRecord(layout: StepLayout, table: ItemTable<StepState>): Record<string, StepState> {
  return new Proxy<Target>({ layout, table }, handler) as unknown as Record<string, StepState>;
}

/** Each step's id and record, in definition order: read off the table, without the record's traps. */
export function stepEntries(steps: Record<string, StepState>): [string, StepState][] {
  const target = (steps as unknown as { [TABLE]?: Target })[TABLE];
  if (target === undefined) return Object.entries(steps);
  const entries: [string, StepState][] = [];
  const { ids } = target.layout;
  for (let i = 0; i < ids.length; i++) {
    const step = readItem(target.table, i);
    if (step !== null) entries.push([ids[i] as string, step]);
  }
  return entries;
}

/**
 * The table behind a step record; a plain record (a snapshot restored from JSON) is laid out
 * into a new table once.
 */
export function tableOf(steps: Record<string, StepState>, layout: StepLayout): ItemTable<StepState> {
  const target = (steps as unknown as { [TABLE]?: Target })[TABLE];
  if (target !== undefined && target.layout === layout) return target.table;
  return toItemTable(layout.ids.map((id) => steps[id] ?? null));
}
