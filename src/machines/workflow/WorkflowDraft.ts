import { itemEntries, ItemTableWriter, readItem, type ItemTable } from './ItemTable.js';
import { stepEntries, stepRecord, tableOf, type StepLayout } from './StepTable.js';
import type { RouteCallInput } from './routeActor.js';
import type { ToolCallInput } from './toolActor.js';
import type { CallState, ItemsState, StepState, WorkflowContext, WorkflowEmitted, WorkflowTimerEvent } from './WorkflowContext.js';

/** What the machine does after the engine decided: XState actions, applied in order. */
export type Effect =
  | { type: 'spawn'; id: string; input: ToolCallInput }
  | { type: 'route'; id: string; input: RouteCallInput }
  | { type: 'stop'; id: string }
  | { type: 'schedule'; id: string; event: WorkflowTimerEvent; delayMs: number }
  | { type: 'cancel'; id: string }
  | { type: 'emit'; event: WorkflowEmitted };

/** The next context and the effects that go with it. */
export interface Transition {
  context: WorkflowContext;
  effects: Effect[];
}

/**
 * A step's record once it ended: what it did (attempts, times, items, routing), without the
 * bookkeeping of a call in flight (phase, pending retry, the error of an earlier attempt).
 * Spelled out: object rest with excluded keys is a slow path in V8, and this runs per step.
 */
export function finished(step: StepState, status: StepState['status'], finishedAt: number, output: unknown): StepState {
  const next: StepState = { status, attempts: step.attempts, finishedAt };
  if (output !== undefined) next.output = output;
  if (step.startedAt !== undefined) next.startedAt = step.startedAt;
  if (step.attemptStartedAt !== undefined) next.attemptStartedAt = step.attemptStartedAt;
  if (step.routedTo !== undefined) next.routedTo = step.routedTo;
  if (step.patchedInput !== undefined) next.patchedInput = step.patchedInput;
  if (step.skipReason !== undefined) next.skipReason = step.skipReason;
  if (step.items !== undefined) next.items = step.items;
  return next;
}

/**
 * A context being changed. Copy on first write, once per event: the context and its step table's
 * chunk list when the event starts, a chunk of step records and a step's record (and a map's
 * items) the first time the event changes them; after that the event changes its own copies in
 * place. So starting 50 items in one event copies the items once, not 50 times, an event in a
 * 1,000-step run copies 32 records, not 1,000, and the snapshot before the event is never touched.
 */
export class WorkflowDraft {
  readonly context: WorkflowContext;
  readonly effects: Effect[] = [];
  private readonly layout: StepLayout;
  private readonly table: ItemTable<StepState>;
  private readonly tables = new ItemTableWriter();
  // Ids whose record (and items) this event copied; an event touches one or two steps, so a
  // short array, made on first use, is cheaper than a Set per event.
  private owned: string[] | undefined;
  private ownedItems: string[] | undefined;
  constructor(base: WorkflowContext, layout: StepLayout) {
    this.layout = layout;
    this.table = this.tables.own(tableOf(base.steps, layout));
    this.context = { ...base, steps: stepRecord(layout, this.table) };
  }
  step(id: string): StepState {
    return readItem(this.table, this.layout.position.get(id) as number) as StepState;
  }
  private put(id: string, step: StepState): StepState {
    this.tables.write(this.table, this.layout.position.get(id) as number, step);
    return step;
  }
  /** This event's own copy of a step's record. */
  own(id: string): StepState {
    if (this.owned?.includes(id) === true) return this.step(id);
    (this.owned ??= []).push(id);
    return this.put(id, { ...this.step(id) });
  }
  /** Replaces a step's record with one this event built. */
  replace(id: string, step: StepState): void {
    if (this.owned?.includes(id) !== true) (this.owned ??= []).push(id);
    if (this.ownedItems?.includes(id) === true) this.ownedItems = this.ownedItems.filter((owned) => owned !== id);
    this.put(id, step);
  }
  set(id: string, changes: Partial<StepState>): StepState {
    if (this.owned?.includes(id) === true) return Object.assign(this.step(id), changes);
    (this.owned ??= []).push(id);
    return this.put(id, { ...this.step(id), ...changes });
  }
  /**
   * This event's own copy of a map step's items; its `calls` and `outputs` tables are changed
   * through {@link setCall}, {@link endItem} and {@link setOutput}, a chunk copied at a time.
   */
  items(id: string): ItemsState {
    const step = this.own(id);
    if (this.ownedItems?.includes(id) !== true) {
      (this.ownedItems ??= []).push(id);
      const items = step.items as ItemsState;
      step.items = { ...items, calls: this.tables.own(items.calls), outputs: this.tables.own(items.outputs) };
    }
    return step.items as ItemsState;
  }
  /** A call's bookkeeping: the tool step's own record, or a map item's. */
  call(stepId: string, index: number | undefined): CallState {
    return index === undefined ? this.step(stepId) : (this.liveItem(stepId, index) ?? { attempts: 0 });
  }
  /** A map item's call in flight, if it has one. */
  liveItem(stepId: string, index: number): CallState | undefined {
    const items = this.step(stepId).items;
    return items ? (readItem(items.calls, index) ?? undefined) : undefined;
  }
  /** A map step's items with a call in flight. */
  liveItems(stepId: string): [number, CallState][] {
    const items = this.step(stepId).items;
    return items ? [...itemEntries(items.calls)] : [];
  }
  setCall(stepId: string, index: number | undefined, call: CallState): void {
    if (index === undefined) this.set(stepId, call);
    else this.writeItem(stepId, 'calls', index, call);
  }
  /** A map item's call ended: it has no call in flight any more. */
  endItem(stepId: string, index: number): void {
    this.writeItem(stepId, 'calls', index, null);
  }
  setOutput(stepId: string, index: number, output: unknown): void {
    this.writeItem(stepId, 'outputs', index, output);
  }
  private writeItem(stepId: string, table: 'calls' | 'outputs', index: number, entry: unknown): void {
    this.tables.write(this.items(stepId)[table] as ItemTable<unknown>, index, entry);
  }
  emit(event: WorkflowEmitted): void {
    this.effects.push({ type: 'emit', event });
  }
  done(): Transition {
    return { context: this.context, effects: this.effects };
  }
}

const TERMINAL = new Set(['completed', 'failed', 'skipped', 'cancelled']);

/** Marks every unfinished step cancelled (cancel, workflow timeout, a failure past the policy). */
export function cancelUnfinished(context: WorkflowContext, now: number): WorkflowContext {
  const steps: Record<string, StepState> = {};
  for (const [id, step] of stepEntries(context.steps)) {
    if (TERMINAL.has(step.status)) {
      steps[id] = step;
      continue;
    }
    const { phase: _phase, ...rest } = step;
    const items = rest.items ? { ...rest.items, calls: [], running: 0, cancelled: rest.items.total - rest.items.completed - rest.items.failed } : undefined;
    steps[id] = { ...rest, status: 'cancelled', finishedAt: now, ...(items ? { items } : {}) };
  }
  return { ...context, steps, running: 0, queue: [], open: 0 };
}
