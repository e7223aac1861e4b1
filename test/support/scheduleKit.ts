import { z } from 'zod';
import { defineTool, type BusMessage, type Runtime, type WorkflowDefinitionInput } from '../../src/index.js';

/** A tool held until `open()`; counts its calls. Each call of `count` is recorded by its input. */
export function gateTool() {
  const waiting: (() => void)[] = [];
  let calls = 0;
  let held = true;
  const tool = defineTool({
    name: 'gate',
    description: 'resolves once the gate opens',
    input: z.object({}).loose(),
    output: z.object({ ok: z.boolean() }),
    run: async () => {
      calls += 1;
      if (held) await new Promise<void>((resolve) => waiting.push(resolve));
      return { ok: true };
    },
  });
  return {
    tool,
    /** Lets the calls waiting now finish; later calls wait again. */
    release: () => waiting.splice(0).forEach((resolve) => resolve()),
    /** Lets every call finish, now and later. */
    openForGood: () => {
      held = false;
      waiting.splice(0).forEach((resolve) => resolve());
    },
    calls: () => calls,
    waiting: () => waiting.length,
  };
}

/** A tool that returns at once. */
export const noteTool = defineTool({
  name: 'note',
  description: 'returns its input',
  input: z.object({ text: z.string().optional() }).loose(),
  output: z.object({ ok: z.boolean() }),
  run: () => Promise.resolve({ ok: true }),
});

export const noteWorkflow: WorkflowDefinitionInput = { id: 'nightly', steps: [{ id: 'note', tool: 'note', input: { text: 'tick' } }] };
export const gateWorkflow: WorkflowDefinitionInput = { id: 'held', steps: [{ id: 'gate', tool: 'gate', input: {} }] };

/** The payload of `schedule.tick`. */
export interface TickMessage {
  scheduleId: string;
  kind: 'cron' | 'manual';
  tickAt: number;
  status: string;
  node: string;
  executionId: string | null;
}

/** Records every `schedule.tick` a runtime publishes; `stop()` unsubscribes. */
export function recordTicks(runtime: Runtime) {
  const seen: TickMessage[] = [];
  const subscription = runtime.bus.subscribe('schedule.tick').subscribe((message: BusMessage) => seen.push(message.payload as TickMessage));
  return { seen, stop: () => subscription.unsubscribe() };
}
