import { topLevelMessages } from '../runtime/bus/topLevelMessages.js';
import { Listr } from 'listr2';
import { filter, type Subscription } from 'rxjs';
import type { WorkflowDefinition } from '../definition/WorkflowDefinitionSchema.js';
import { stepTool } from '../definition/steps/stepTool.js';
import type { BusMessage } from '../runtime/BusMessage.js';
import type { Runtime } from '../runtime/createRuntime.js';
import type { WorkflowResult } from '../runtime/WorkflowResult.js';

type Outcome = { status: 'completed' | 'cancelled' } | { status: 'skipped'; reason?: string | undefined } | { status: 'failed'; code: string };

interface StepRow {
  settle: (outcome: Outcome, durationMs: number | undefined) => void;
  title: (text: string) => void;
}

/** The progress display of one execution; subscribe before the run starts so no step is missed. */
export interface ProgressView {
  render(result: Promise<WorkflowResult>): Promise<void>;
}

/**
 * Live step list of one execution (listr2: a spinner per running step, then its status and
 * duration), driven by the bus. Every row keeps its step's name; a failed step's row names its
 * error code (the summary after the list gives the message, once); rows of steps the failure
 * cancelled say `cancelled`. Durations are those of the step events (first start to settle).
 * Falls back to plain lines when the output is not a terminal.
 */
export function watchProgress(runtime: Runtime, definition: WorkflowDefinition, correlationId: string): ProgressView {
  const rows = new Map<string, Promise<StepRow>>();
  const ready = new Map<string, (row: StepRow) => void>();
  const startedAt = new Map<string, number>();
  const settled = new Set<string>();
  for (const step of definition.steps) rows.set(step.id, new Promise((resolve) => ready.set(step.id, resolve)));

  const list = new Listr(
    definition.steps.map((step) => {
      const name = `${step.id} (${stepTool(step) ?? 'wait'})`;
      return {
        title: name,
        task: (_: unknown, task: { title: string; skip: (message?: string) => void }) =>
          new Promise<void>((resolve, reject) => {
            ready.get(step.id)?.({
              title: (text) => (task.title = `${name} ${text}`),
              settle: (outcome, durationMs) => {
                const took = durationMs === undefined ? '' : ` ${formatDuration(durationMs)}`;
                if (outcome.status === 'completed') {
                  task.title = `${name}${took}`;
                  resolve();
                } else if (outcome.status === 'failed') {
                  reject(new Error(`${name} failed${took}: ${outcome.code}`));
                } else {
                  task.skip(`${name} ${outcome.status}${'reason' in outcome && outcome.reason ? `: ${outcome.reason}` : ''}`);
                  resolve();
                }
              },
            });
          }),
      };
    }),
    {
      concurrent: true, exitOnError: false, collectErrors: false,
      rendererOptions: { collapseErrors: true, collapseSkips: true, showErrorMessage: true, suffixSkips: false },
      fallbackRenderer: 'simple',
    },
  );

  const settle = (stepId: string, outcome: Outcome, at: number | undefined): void => {
    if (settled.has(stepId)) return;
    settled.add(stepId);
    const started = startedAt.get(stepId);
    const durationMs = started === undefined || at === undefined ? undefined : Math.max(0, at - started);
    void rows.get(stepId)?.then((row) => row.settle(outcome, durationMs));
  };
  const onMessage = (message: BusMessage): void => {
    const stepId = message.stepId;
    if (stepId === undefined || !rows.has(stepId)) return;
    const payload = message.payload as { attempt?: number; delayMs?: number; error?: { code: string; message: string }; reason?: string };
    if (message.type === 'step.started') {
      if (!startedAt.has(stepId)) startedAt.set(stepId, message.timestamp);
      if ((payload.attempt ?? 1) > 1) void rows.get(stepId)?.then((row) => row.title(`attempt ${payload.attempt}`));
    } else if (message.type === 'step.retrying') {
      void rows.get(stepId)?.then((row) => row.title(`retrying in ${payload.delayMs} ms after ${payload.error?.code}`));
    } else if (message.type === 'step.completed') settle(stepId, { status: 'completed' }, message.timestamp);
    else if (message.type === 'step.skipped') settle(stepId, { status: 'skipped', reason: skipReason(payload.reason) }, undefined);
    else if (message.type === 'step.failed') settle(stepId, { status: 'failed', code: payload.error?.code ?? 'FAILED' }, message.timestamp);
  };
  const subscription: Subscription = runtime.bus.messages$.pipe(filter((message) => message.correlationId === correlationId), filter(topLevelMessages())).subscribe(onMessage);

  return {
    async render(result) {
      const finished = result.then((outcome) => {
        // Steps the run ended before they settled (cancelled by a failure, a timeout or Ctrl-C).
        for (const [stepId, step] of Object.entries(outcome.steps)) {
          if (step.status === 'failed') settle(stepId, { status: 'failed', code: step.error?.code ?? outcome.error?.code ?? 'FAILED' }, step.finishedAt);
          else if (step.status === 'completed') settle(stepId, { status: 'completed' }, step.finishedAt);
          else if (step.status === 'skipped') settle(stepId, { status: 'skipped', reason: skipReason(step.skipReason) }, undefined);
          else settle(stepId, { status: 'cancelled' }, undefined);
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

function skipReason(reason: string | undefined): string | undefined {
  if (reason === undefined) return undefined;
  return reason === 'condition' ? 'condition is false' : 'a dependency did not complete';
}

function formatDuration(ms: number): string {
  return ms < 1_000 ? `${ms} ms` : `${(ms / 1_000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}
