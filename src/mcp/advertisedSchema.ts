import { z } from 'zod';

/**
 * The `inputSchema` handed to `McpServer.registerTool`: it advertises `schema` as JSON Schema
 * in `tools/list`, but accepts any object, so that arguments reach our handler unvalidated.
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
  const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(schema, { io: 'input', target: 'draft-7', unrepresentable: 'any' }) as Record<string, unknown>;
  // An MCP tool's input is an object; a tool whose schema is something else gets its arguments as they come.
  const advertised = jsonSchema['type'] === 'object' ? jsonSchema : { type: 'object', description: schema.description };
  return z.looseObject({}).meta(advertised);
}
