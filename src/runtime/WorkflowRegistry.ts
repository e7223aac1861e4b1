import { isDeepStrictEqual } from 'node:util';
import type { ToolRegistry } from '../actors/ToolRegistry.js';
import { didYouMean } from '../definition/didYouMean.js';
import { validateWorkflow } from '../definition/validateWorkflow.js';
import type { WorkflowDefinition, WorkflowDefinitionInput } from '../definition/WorkflowDefinitionSchema.js';
import { RuntimeError } from '../errors/RuntimeError.js';
import { WorkflowValidationError } from '../errors/WorkflowValidationError.js';

/** One registered `(id, version)`, as `runtime.workflows()` lists it. */
export interface RegisteredWorkflow {
  id: string;
  version: string;
  /** The version `executeWorkflow(id)` runs: the most recently registered one of its id. */
  latest: boolean;
  description?: string;
}

/** The workflows a runtime runs by id, each by `(id, version)`. */
export interface WorkflowRegistry {
  /**
   * Validates and registers a definition (its tools are checked; the workflows it calls need not
   * be registered yet). The same `(id, version)` with the same content is a no-op; with other
   * content, `RuntimeError` `WORKFLOW_VERSION_CONFLICT`.
   */
  register(definition: WorkflowDefinitionInput): WorkflowDefinition;
  /** The latest version of `id`, or the version given; `undefined` when not registered. */
  get(id: string, version?: string): WorkflowDefinition | undefined;
  /** Like `get`, but throws `RuntimeError` `WORKFLOW_NOT_FOUND` with a hint. */
  require(id: string, version?: string): WorkflowDefinition;
  has(id: string): boolean;
  /** Every registered `(id, version)`, in registration order. */
  list(): RegisteredWorkflow[];
  /** Every registered definition, in registration order (for `validateWorkflow`'s `workflows`). */
  definitions(): readonly WorkflowDefinition[];
}

/**
 * Builds a workflow registry over a runtime's tools. "Latest" is the version registered last:
 * registering version 1 after version 2 makes 1 the latest, as a deploy that rolls back would.
 *
 * @example
 * const registry = createWorkflowRegistry(runtime.tools);
 * registry.register(buildImage);
 * registry.require('build-image').version; // '1'
 */
export function createWorkflowRegistry(tools: ToolRegistry): WorkflowRegistry {
  // id -> version -> definition; a Map keeps insertion order, so the last version is the latest.
  const byId = new Map<string, Map<string, WorkflowDefinition>>();
  const order: WorkflowDefinition[] = [];

  const latestOf = (versions: Map<string, WorkflowDefinition>): WorkflowDefinition | undefined => [...versions.values()].at(-1);

  const get = (id: string, version?: string): WorkflowDefinition | undefined => {
    const versions = byId.get(id);
    if (!versions) return undefined;
    return version === undefined ? latestOf(versions) : versions.get(String(version));
  };

  return {
    register(source) {
      const result = validateWorkflow(source, { tools });
      if (!result.success) throw new WorkflowValidationError(result.issues);
      const definition = result.definition;
      const versions = byId.get(definition.id) ?? new Map<string, WorkflowDefinition>();
      const existing = versions.get(definition.version);
      if (existing) {
        if (sameContent(existing, definition)) return existing;
        throw new RuntimeError(
          'WORKFLOW_VERSION_CONFLICT',
          `workflow "${definition.id}" version "${definition.version}" is registered with other content; give the changed definition a new version`,
          { path: 'version' },
        );
      }
      versions.set(definition.version, definition);
      byId.set(definition.id, versions);
      order.push(definition);
      return definition;
    },
    get,
    require(id, version) {
      const found = get(id, version);
      if (found) return found;
      const versions = byId.get(id);
      if (versions) {
        throw new RuntimeError('WORKFLOW_NOT_FOUND', `workflow "${id}" has no version "${String(version)}" (registered: ${[...versions.keys()].join(', ')})`, { path: 'version' });
      }
      const hint = didYouMean(id, byId.keys());
      throw new RuntimeError('WORKFLOW_NOT_FOUND', `no workflow "${id}" is registered${hint ? ` (did you mean "${hint}"?)` : ''}; register it with runtime.registerWorkflow() or createRuntime({ workflows })`, { path: 'id' });
    },
    has: (id) => byId.has(id),
    list: () =>
      order.map((definition) => ({
        id: definition.id,
        version: definition.version,
        latest: latestOf(byId.get(definition.id) as Map<string, WorkflowDefinition>) === definition,
        ...(definition.description === undefined ? {} : { description: definition.description.trim() }),
      })),
    definitions: () => order,
  };
}

/** Equal as JSON data: key order and keys holding `undefined` do not count. */
function sameContent(a: WorkflowDefinition, b: WorkflowDefinition): boolean {
  return isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));
}
