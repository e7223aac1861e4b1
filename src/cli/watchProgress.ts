import { Listr } from 'listr2';
import { filter, type Subscription } from 'rxjs';
import type { BusMessage } from '../runtime/BusMessage.js';
import type { Runtime } from '../runtime/createRuntime.js';
import type { WorkflowDefinition } from '../definition/WorkflowDefinitionSchema.js';
import type { WorkflowResult } from '../runtime/WorkflowResult.js';

interface StepWatch {
  settle: (outcome: { status: 'completed' | 'failed' | 'skipped' | 'cancelled'; message?: string | undefined }) => void;
  title: (text: string) => void;
}

/** The progress display of one execution; subscribe before the run starts so no step is missed. */
export interface ProgressView {
  render(result: Promise<WorkflowResult>): Promise<void>;
}

/**
 * Live step list of one execution (listr2: a spinner per running step, then its status and
 * duration), driven by the bus. Falls back to plain lines when the output is not a terminal.
 */
export function watchProgress(runtime: Runtime, definition: WorkflowDefinition, correlationId: string): ProgressView {
  const execution = { definition, correlationId };
  const watches = new Map<string, Promise<StepWatch>>();
  const ready = new Map<string, (watch: StepWatch) => void>();
  const startedAt = new Map<string, number>();
  for (const step of execution.definition.steps) {
    watches.set(step.id, new Promise((resolve) => ready.set(step.id, resolve)));
  }

  const list = new Listr(
    execution.definition.steps.map((step) => ({
      title: `${step.id} (${step.tool})`,
      task: (_: unknown, task: { title: string; skip: (message?: string) => void; output?: string }) =>
        new Promise<void>((resolve, reject) => {
          ready.get(step.id)?.({
            title: (text) => (task.title = text),
            settle: ({ status, message }) => {
              const took = startedAt.has(step.id) ? ` ${Date.now() - (startedAt.get(step.id) ?? 0)} ms` : '';
              if (status === 'completed') {
                task.title = `${step.id} (${step.tool})${took}`;
                resolve();
              } else if (status === 'skipped' || status === 'cancelled') {
                task.skip(message ?? status);
                resolve();
              } else reject(new Error(`${step.id}: ${message ?? 'failed'}`));
            },
          });
        }),
    })),
    { concurrent: true, exitOnError: false, collectErrors: false, rendererOptions: { collapseErrors: false }, fallbackRenderer: 'simple' },
  );

  const onMessage = (message: BusMessage): void => {
    const stepId = message.stepId;
    if (stepId === undefined) return;
    const payload = message.payload as { attempt?: number; delayMs?: number; error?: { code: string; message: string }; reason?: string };
    void watches.get(stepId)?.then((watch) => {
      if (message.type === 'step.started') {
        startedAt.set(stepId, startedAt.get(stepId) ?? Date.now());
        if ((payload.attempt ?? 1) > 1) watch.title(`${stepId} attempt ${payload.attempt}`);
      } else if (message.type === 'step.retrying') {
        watch.title(`${stepId} retrying in ${payload.delayMs} ms after ${payload.error?.code}`);
      } else if (message.type === 'step.completed') watch.settle({ status: 'completed' });
      else if (message.type === 'step.skipped') watch.settle({ status: 'skipped', message: payload.reason === 'condition' ? 'condition is false' : 'a dependency did not complete' });
      else if (message.type === 'step.failed') watch.settle({ status: 'failed', message: `${payload.error?.code}: ${payload.error?.message}` });
    });
  };
  const subscription: Subscription = runtime.bus.messages$
    .pipe(filter((message) => message.correlationId === execution.correlationId))
    .subscribe(onMessage);

  return {
    async render(result) {
      const finished = result.then(async (outcome) => {
        for (const [stepId, step] of Object.entries(outcome.steps)) {
          if (step.status === 'cancelled' || step.status === 'pending') {
            (await watches.get(stepId))?.settle({ status: 'cancelled', message: outcome.error?.message });
          }
        }
      });
      try {
        await Promise.all([list.run(), finished]);
      } finally {
        subscription.unsubscribe();
      }
    },
  };
}
