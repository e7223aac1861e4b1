import type { ToolRegistry } from '../../actors/ToolRegistry.js';
import { resolveWorkflowInput } from '../../definition/resolveWorkflowInput.js';
import { validateWorkflow } from '../../definition/validateWorkflow.js';
import { ScheduleError } from '../../errors/ScheduleError.js';
import { parseSchedules, type Schedule, type ScheduleOptions } from './ScheduleSpec.js';

/**
 * `createRuntime({ schedules })` checked before the runtime builds anything: each entry's fields
 * (see {@link parseSchedules}) and its workflow against the runtime's tools. A definition that does
 * not validate is `SCHEDULE_INVALID` at `schedules[i].workflow`, its `WorkflowValidationError` as
 * the cause; an `input` the workflow's `input` description refuses is `SCHEDULE_INVALID` at
 * `schedules[i].input`. A workflow named by id needs the workflow registry, which this runtime does not
 * have yet: that is `SCHEDULE_INVALID` too, saying to pass the definition.
 *
 * @example
 * const schedules = checkSchedules(options.schedules ?? [], tools);
 */
export function checkSchedules(entries: readonly ScheduleOptions[], tools: ToolRegistry): Schedule[] {
  const schedules = parseSchedules(entries);
  schedules.forEach((schedule, index) => {
    const path = `schedules[${index}].workflow`;
    if (typeof schedule.workflow === 'string') {
      throw new ScheduleError('SCHEDULE_INVALID', `${path}: "${schedule.workflow}" names a workflow by id, which needs registered workflows; pass the definition object`, { path });
    }
    const result = validateWorkflow(schedule.workflow, { tools });
    if (!result.success) {
      const first = result.issues[0];
      throw new ScheduleError('SCHEDULE_INVALID', `${path}: the workflow does not validate (${first ? `${first.path}: ${first.message}` : 'invalid'})`, { path, cause: result.issues });
    }
    // Every tick runs with this input: a run that could never start is refused now, not at 03:00.
    try {
      resolveWorkflowInput(result.definition, schedule.input);
    } catch (error) {
      const inputPath = `schedules[${index}].input`;
      throw new ScheduleError('SCHEDULE_INVALID', `${inputPath}: the workflow does not accept it (${error instanceof Error ? error.message : String(error)})`, { path: inputPath, cause: error });
    }
  });
  return schedules;
}
