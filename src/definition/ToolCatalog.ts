import type { z } from 'zod';
import { RuntimeError } from '../errors/RuntimeError.js';
import { didYouMean } from './didYouMean.js';

/** What validation reads of a tool: its name and its input schema. Every `defineTool` tool fits. */
export interface ToolSignature {
  readonly name: string;
  readonly input: z.ZodType;
}

/**
 * The tools a definition is checked against, by name. Declared here, below the tool actors,
 * so validation needs no runtime; the actors' `ToolRegistry` satisfies it.
 */
export interface ToolCatalog {
  get(name: string): ToolSignature | undefined;
  has(name: string): boolean;
  /** The closest known name, for "did you mean" hints. */
  suggest(name: string): string | undefined;
}

/**
 * Accepts a catalog (a tool registry) or a list of tools; two tools with one name are a
 * `DUPLICATE_TOOL` error, as in `createToolRegistry`.
 *
 * @example
 * const catalog = toToolCatalog([greet, analyzeRepository]);
 */
export function toToolCatalog(tools: ToolCatalog | Iterable<ToolSignature>): ToolCatalog {
  if (isCatalog(tools)) return tools;
  const byName = new Map<string, ToolSignature>();
  for (const tool of tools) {
    if (byName.has(tool.name)) throw new RuntimeError('DUPLICATE_TOOL', `two tools are named "${tool.name}"`);
    byName.set(tool.name, tool);
  }
  return {
    get: (name) => byName.get(name),
    has: (name) => byName.has(name),
    suggest: (name) => didYouMean(name, byName.keys()),
  };
}

function isCatalog(value: ToolCatalog | Iterable<ToolSignature>): value is ToolCatalog {
  return typeof (value as ToolCatalog).get === 'function' && typeof (value as ToolCatalog).suggest === 'function';
}
