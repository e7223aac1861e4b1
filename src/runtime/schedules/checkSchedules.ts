import type { ToolRegistry } from '../../actors/ToolRegistry.js';
import { validateWorkflow } from '../../definition/validateWorkflow.js';
import { ScheduleError } from '../../errors/ScheduleError.js';
import { parseSchedules, type Schedule, type ScheduleOptions } from './ScheduleSpec.js';

/**
 * `createRuntime({ schedules })` checked before the runtime builds anything: each entry's fields
 * (see {@link parseSchedules}) and its workflow against the runtime's tools. A definition that does
 * not validate is `SCHEDULE_INVALID` at `schedules[i].workflow`, its `WorkflowValidationError` as
 * the cause. A workflow named by id needs the workflow registry, which this runtime does not
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
  });
  return schedules;
}
