import { RuntimeError } from '../errors/RuntimeError.js';
import { didYouMean } from '../definition/didYouMean.js';
import type { AnyTool } from './defineTool.js';

/** The tools a runtime can call, by name. */
export interface ToolRegistry {
  get(name: string): AnyTool | undefined;
  /** Like `get`, but throws `TOOL_NOT_FOUND` with a suggestion. */
  require(name: string): AnyTool;
  has(name: string): boolean;
  names(): string[];
  list(): AnyTool[];
  /** The closest registered name, for "did you mean" hints. */
  suggest(name: string): string | undefined;
}

/**
 * Builds a registry; two tools with one name are a `DUPLICATE_TOOL` error.
 *
 * @example
 * const registry = createToolRegistry([greet, analyzeRepository]);
 */
export function createToolRegistry(tools: Iterable<AnyTool>): ToolRegistry {
  const byName = new Map<string, AnyTool>();
  for (const tool of tools) {
    if (byName.has(tool.name)) throw new RuntimeError('DUPLICATE_TOOL', `two tools are named "${tool.name}"`);
    byName.set(tool.name, tool);
  }
  const suggest = (name: string): string | undefined => didYouMean(name, byName.keys());
  return {
    get: (name) => byName.get(name),
    has: (name) => byName.has(name),
    names: () => [...byName.keys()],
    list: () => [...byName.values()],
    suggest,
    require(name) {
      const tool = byName.get(name);
      if (tool) return tool;
      const hint = suggest(name);
      throw new RuntimeError('TOOL_NOT_FOUND', `no tool named "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}`);
    },
  };
}

/** Accepts a registry or a list of tools. */
export function toRegistry(tools: ToolRegistry | Iterable<AnyTool>): ToolRegistry {
  return isRegistry(tools) ? tools : createToolRegistry(tools);
}

function isRegistry(value: ToolRegistry | Iterable<AnyTool>): value is ToolRegistry {
  return typeof (value as ToolRegistry).require === 'function' && typeof (value as ToolRegistry).suggest === 'function';
}
