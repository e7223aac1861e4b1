import { z } from 'zod';

type JsonSchema = Record<string, unknown>;

/**
 * The `inputSchema` handed to `McpServer.registerTool`: it advertises `schema` as JSON Schema
 * in `tools/list`, with `additionalProperties: false` on every object that does not say
 * otherwise, but accepts any object, so that arguments reach our handler unvalidated.
 *
 * Why: the SDK validates arguments against `inputSchema` before the handler runs and answers a
 * mismatch with a plain-text error, without the error code or the zod path in
 * `structuredContent`. We validate ourselves (the runtime does, for tools) to answer with both.
 * Zod 4 merges `.meta()` into the JSON Schema it generates, which is what the SDK lists.
 *
 * @example
 * server.registerTool(tool.name, { inputSchema: advertisedSchema(tool.input) }, handler);
 */
export function advertisedSchema(schema: z.ZodType): z.ZodObject {
  const jsonSchema = closeObjects(toJsonSchema(schema, 'input'));
  // An MCP tool's input is an object; a tool whose schema is something else gets its arguments as they come.
  const advertised = jsonSchema['type'] === 'object' ? jsonSchema : { type: 'object', description: schema.description };
  return z.looseObject({}).meta(advertised);
}

/** True when every value `schema` accepts is a JSON object, so it is `structuredContent` as it is (not wrapped as `{ result }`). */
export function isObjectSchema(schema: z.ZodType): boolean {
  return describesObjects(toJsonSchema(schema, 'output'));
}

/**
 * The `outputSchema` handed to `McpServer.registerTool`: the JSON Schema of `schema` (wrapped as
 * `{ result }` when its values are not objects, as {@link successResult} wraps them), or, for a
 * failed call, `{ error }` as {@link errorResult} answers. The SDK client checks every
 * `structuredContent` against it, failed calls included, hence the second branch. The zod schema
 * accepts anything: the runtime has validated tool output already, and our own answers are typed.
 *
 * @example
 * server.registerTool(tool.name, { outputSchema: advertisedOutput(tool.output) }, handler);
 */
export function advertisedOutput(schema: z.ZodType): z.ZodObject {
  const output = toJsonSchema(schema, 'output');
  const success = describesObjects(output) ? output : { type: 'object', properties: { result: output }, required: ['result'], additionalProperties: false };
  const { $schema: _dialect, ...failure } = toJsonSchema(ErrorEnvelopeSchema, 'output');
  return z.looseObject({}).meta({ type: 'object', anyOf: [success, failure] });
}

/** `structuredContent` of a failed call: see `McpErrorInfo`. */
const ErrorEnvelopeSchema = z.object({
  error: z.looseObject({
    code: z.string(),
    type: z.string(),
    message: z.string(),
    path: z.string().optional(),
    issues: z.array(z.looseObject({ path: z.string(), message: z.string() })).optional(),
    tool: z.string().optional(),
    retryable: z.boolean().optional(),
    hint: z.string().optional(),
    details: z.unknown().optional(),
  }),
});

function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(schema, { io, target: 'draft-7', unrepresentable: 'any' }) as JsonSchema;
  return jsonSchema;
}

function describesObjects(schema: JsonSchema): boolean {
  if (schema['type'] === 'object') return true;
  const branches = schema['anyOf'] ?? schema['oneOf'];
  return Array.isArray(branches) && branches.length > 0 && branches.every((branch) => describesObjects(branch as JsonSchema));
}

/** Marks objects that leave extra properties unsaid as closed; records and loose objects keep theirs. */
function closeObjects(schema: unknown): JsonSchema {
  if (Array.isArray(schema)) return schema.map(closeObjects) as unknown as JsonSchema;
  if (typeof schema !== 'object' || schema === null) return schema as JsonSchema;
  const closed: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) closed[key] = typeof value === 'object' && value !== null ? closeObjects(value) : value;
  if (closed['type'] === 'object' && closed['properties'] !== undefined && closed['additionalProperties'] === undefined) closed['additionalProperties'] = false;
  return closed;
}
