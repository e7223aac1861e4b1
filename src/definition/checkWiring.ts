import { z } from 'zod';
import type { ToolCatalog } from './ToolCatalog.js';
import type { ValidationIssue } from '../errors/WorkflowValidationError.js';
import { parseExpression, type Expression } from './Expression.js';
import { ExpressionError } from '../errors/ExpressionError.js';
import { ancestorIndex } from './ancestorIndex.js';
import type { RawStep } from './RawStep.js';
import { compileTemplate } from './Template.js';

const SCOPE_VARIABLES = new Set(['input', 'steps', 'context', 'env']);

/** Unknown tools past this many get no "did you mean" hint. */
const MAX_HINTS = 20;

/** Checks the wiring of one step, or of the workflow's output, returning its issues. */
export interface WiringCheck {
  step(step: RawStep): ValidationIssue[];
  output(output: unknown): ValidationIssue[];
}

/**
 * Expressions that do not parse, wiring that reads a step that is not an ancestor,
 * unknown tools, and step inputs that do not fit the tool's input schema. One step at a time,
 * so a caller can split a long definition into turns.
 *
 * @example
 * const wiring = checkWiring(steps, registry);
 * const issues = [...steps.flatMap((step) => wiring.step(step)), ...wiring.output(definition.output)];
 */
export function checkWiring(steps: readonly RawStep[], registry: ToolCatalog | undefined): WiringCheck {
  let issues: ValidationIssue[] = [];
  const ids = new Set(steps.map((s) => s.id).filter((id): id is string => id !== undefined));
  const ancestors = ancestorIndex(steps);
  // A hint compares against every tool name: a few keep validation linear in the steps.
  let hintsLeft = MAX_HINTS;
  const suggest = (name: string): string | undefined => (registry && hintsLeft-- > 0 ? registry.suggest(name) : undefined);

  const checkRefs = (expressions: readonly Expression[], owner: string | undefined, local: readonly string[] = []): void => {
    for (const expression of expressions) {
      for (const ref of expression.stepRefs) {
        if (!ids.has(ref)) {
          issues.push({ code: 'UNKNOWN_STEP_REFERENCE', path: expression.path, message: `reads steps.${ref}, which is not a step` });
        } else if (owner !== undefined && !ancestors.isAncestor(owner, ref)) {
          issues.push({
            code: 'NOT_AN_ANCESTOR',
            path: expression.path,
            message: `reads steps.${ref}, but "${owner}" does not depend on "${ref}" (add it to dependsOn)`,
          });
        }
      }
      for (const variable of expression.variables) {
        if (!SCOPE_VARIABLES.has(variable) && !local.includes(variable) && isTopLevelOnly(expression, variable)) {
          issues.push({
            code: 'UNKNOWN_VARIABLE',
            path: expression.path,
            message: `reads "${variable}"; expressions can read input, steps, context and env`,
          });
        }
      }
    }
  };

  const take = (): ValidationIssue[] => {
    const found = issues;
    issues = [];
    return found;
  };
  return {
    step(step) {
      const base = `steps[${step.index}]`;
      const template = compileTemplate(step.input ?? {}, `${base}.input`);
      template.errors.forEach((e) => issues.push(expressionIssue(e)));
      checkRefs(template.expressions, step.id, itemScope(step));
      if (step.kind === 'map' && typeof step.map?.items === 'string') {
        const items = compileTemplate(step.map.items, `${base}.map.items`);
        items.errors.forEach((e) => issues.push(expressionIssue(e)));
        checkRefs(items.expressions, step.id);
      }
      if (typeof step.when === 'string') {
        try {
          checkRefs([parseExpression(step.when, `${base}.when`)], step.id);
        } catch (error) {
          if (error instanceof ExpressionError) issues.push(expressionIssue(error));
          else throw error;
        }
      }
      if (registry) issues.push(...checkTool(step, registry, base, suggest));
      return take();
    },
    output(output) {
      if (output !== undefined) {
        const template = compileTemplate(output, 'output');
        template.errors.forEach((e) => issues.push(expressionIssue(e)));
        checkRefs(template.expressions, undefined);
      }
      return take();
    },
  };
}

/** The variables a map step's input reads besides the workflow scope: its item and `index`. */
function itemScope(step: RawStep): string[] {
  if (step.kind !== 'map') return [];
  return [typeof step.map?.as === 'string' ? step.map.as : 'item', 'index'];
}

function checkTool(step: RawStep, registry: ToolCatalog, base: string, suggest: (name: string) => string | undefined): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const route = (step.onError as { route?: unknown } | undefined)?.route;
  if (typeof route === 'string' && !registry.has(route)) issues.push(unknownTool(route, `${base}.onError.route`, suggest));
  if (step.tool === undefined) return issues;
  const tool = registry.get(step.tool);
  if (!tool) return [...issues, unknownTool(step.tool, `${base}.tool`, suggest)];
  const given = (step.input ?? {}) as Record<string, unknown>;
  if (!(tool.input instanceof z.ZodObject) || typeof given !== 'object' || given === null || Array.isArray(given)) return issues;

  const shape = tool.input.shape as Record<string, z.ZodType>;
  const open = tool.input.def.catchall !== undefined && !(tool.input.def.catchall instanceof z.ZodNever);
  for (const [key, value] of Object.entries(given)) {
    // Own keys only: `constructor` or `toString` must not find Object.prototype's members.
    const field = Object.hasOwn(shape, key) ? shape[key] : undefined;
    if (!field) {
      if (!open) {
        issues.push({
          code: 'UNKNOWN_INPUT_FIELD',
          path: `${base}.input.${key}`,
          message: `tool "${tool.name}" has no input field "${key}" (fields: ${Object.keys(shape).join(', ') || 'none'})`,
        });
      }
    } else if (!containsExpression(value)) {
      const result = field.safeParse(value);
      if (!result.success) {
        issues.push({
          code: 'INPUT_TYPE_MISMATCH',
          path: `${base}.input.${key}`,
          message: `does not fit tool "${tool.name}": ${result.error.issues[0]?.message ?? 'invalid'}`,
        });
      }
    }
  }
  for (const [key, field] of Object.entries(shape)) {
    if (!Object.hasOwn(given, key) && !field.safeParse(undefined).success) {
      issues.push({
        code: 'MISSING_INPUT_FIELD',
        path: `${base}.input`,
        message: `tool "${tool.name}" needs input field "${key}"`,
      });
    }
  }
  return issues;
}

function unknownTool(name: string, path: string, suggest: (name: string) => string | undefined): ValidationIssue {
  const hint = suggest(name);
  return { code: 'UNKNOWN_TOOL', path, message: `no tool named "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}` };
}

function expressionIssue(error: ExpressionError): ValidationIssue {
  return { code: error.code, path: error.path, message: error.message.slice(error.path.length + 2) };
}

/** True when a wiring value holds a `${{ }}` expression anywhere. */
export function containsExpression(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('${{');
  if (Array.isArray(value)) return value.some(containsExpression);
  if (value !== null && typeof value === 'object') return Object.values(value).some(containsExpression);
  return false;
}

/** Comprehension macros (`all(x, ...)`) bind their own variables; those are not top-level reads. */
function isTopLevelOnly(expression: Expression, variable: string): boolean {
  return !new RegExp(`\\.(all|exists|exists_one|map|filter)\\(\\s*${variable}\\s*,`).test(expression.source);
}
