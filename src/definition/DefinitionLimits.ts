/**
 * The bounds of a workflow definition, checked before any work that grows with them. Each one
 * that is passed is a `WorkflowValidationError` with a path, never a crash or a stall.
 */
export const DefinitionLimits = {
  /** Characters of definition text (YAML or JSON), checked before the parser runs. */
  maxTextChars: 4_194_304,
  /**
   * Nesting of definition text as the lexer sees it, checked before the parser runs: open
   * brackets plus the indentation width and block indicators (`-`, `?`, `:`) of a line. An upper
   * bound of the real nesting, so it is looser than {@link DefinitionLimits.maxDepth}.
   */
  maxTextNesting: 256,
  /** YAML aliases (`*name`) resolved in one document: an alias bomb stops here. */
  maxAliasCount: 100,
  /** Nesting of objects and arrays in a definition value (the top-level object is depth 1). */
  maxDepth: 64,
  /** Values (objects, arrays, scalars) in a definition value. */
  maxValues: 1_000_000,
  /** Steps of one workflow. */
  maxSteps: 10_000,
  /** Characters of one CEL expression. */
  maxExpressionChars: 8_192,
  /** Nodes of one parsed CEL expression. */
  maxExpressionNodes: 2_000,
  /** Nesting of one CEL expression (parentheses, calls, member chains). */
  maxExpressionDepth: 32,
  /** Comprehension iterations (`map`, `filter`, `all`, `exists`, `exists_one`) of one evaluation, nested ones included. */
  maxExpressionIterations: 100_000,
  /** Time one evaluation may take, checked while comprehensions iterate. */
  maxExpressionMs: 50,
} as const;
