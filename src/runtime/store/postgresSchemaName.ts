import { RuntimeError } from '../../errors/RuntimeError.js';

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * The PostgreSQL schema a store keeps its tables in, checked before any SQL is written with it:
 * a plain identifier, else `RuntimeError` `INVALID_OPTION`. Checked when the store is created,
 * before the driver is loaded.
 *
 * @example
 * const quoted = `"${postgresSchemaName(options.schema)}"`;
 */
export function postgresSchemaName(schema: string | undefined): string {
  const name = schema ?? 'orchkit';
  if (!SCHEMA_NAME.test(name)) throw new RuntimeError('INVALID_OPTION', `schema must be a plain SQL identifier (letters, digits, _), got ${JSON.stringify(name)}`);
  return name;
}
