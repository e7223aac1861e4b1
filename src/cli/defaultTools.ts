import type { AnyTool } from '../actors/defineTool.js';
import { analysisTools } from '../tools/analysisTools.js';
import { deploymentTools } from '../tools/deploymentTools.js';

/** The tools the `orchkit` command registers: the containerization tool pack. */
export function defaultTools(): AnyTool[] {
  return [...analysisTools, ...deploymentTools] as AnyTool[];
}
