import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The shape of a field's value, as far as unknown-field checks need it. */
export type FieldType =
  | { kind: 'object'; file: string }
  | { kind: 'array'; of: FieldType }
  | { kind: 'map'; of: FieldType }
  | { kind: 'leaf' };

/** The fields of one Kubernetes type, each with its value's shape. */
export type TypeFields = ReadonlyMap<string, FieldType>;

const cache = new Map<string, Promise<TypeFields>>();

/**
 * The `.d.ts` file of a kind in `kubernetes-models` (`apps/v1` + `Deployment` →
 * `.../kubernetes-models/apps/v1/Deployment.d.ts`), or undefined for a kind it does not
 * model (a custom resource, a removed API version).
 *
 * @example
 * const file = kindFile('apps/v1', 'Deployment');
 */
export function kindFile(apiVersion: string, kind: string): string | undefined {
  const root = packageDir('kubernetes-models');
  if (!root || !/^[A-Za-z0-9]+$/.test(kind) || !/^[a-z0-9.-]+(?:\/[a-z0-9]+)?$/.test(apiVersion)) return undefined;
  const file = join(root, ...apiVersion.split('/'), `${kind}.d.ts`);
  return existsSync(file) ? file : undefined;
}

/**
 * The fields of the type declared in a `kubernetes-models` `.d.ts` file. The package's
 * generated declarations list every field of the Kubernetes OpenAPI schema, which its
 * compiled validators do not enforce (the schema allows unknown fields; the API server
 * drops or refuses them): this is what finds a misspelt field.
 *
 * @example
 * const fields = await typeFields(kindFile('apps/v1', 'Deployment')!);
 */
export function typeFields(file: string): Promise<TypeFields> {
  let found = cache.get(file);
  if (!found) {
    found = readFields(file);
    cache.set(file, found);
  }
  return found;
}

async function readFields(file: string): Promise<TypeFields> {
  const text = await readFile(file, 'utf8');
  const imports = new Map<string, string>();
  for (const match of text.matchAll(/^import \{([^}]+)\} from "([^"]+)";$/gm)) {
    const target = importTarget(file, match[2] ?? '');
    if (!target) continue;
    for (const name of (match[1] ?? '').split(',').map((part) => part.trim())) imports.set(name, target);
  }
  const body = /^export interface I\w+(?: extends [\w, ]+)? \{\n([\s\S]*?)^\}/m.exec(text)?.[1] ?? '';
  const fields = new Map<string, FieldType>();
  for (const match of body.matchAll(/^ {4}"([^"]+)"\??: ([\s\S]+?);\n(?= {4}(?:"|\/\*\*)|$)/gm)) {
    fields.set(match[1] ?? '', shapeOf((match[2] ?? '').trim(), imports));
  }
  return fields;
}

function shapeOf(type: string, imports: ReadonlyMap<string, string>): FieldType {
  const array = /^Array<([\s\S]+)>$/.exec(type);
  if (array?.[1]) return { kind: 'array', of: shapeOf(array[1].trim(), imports) };
  const map = /^\{\s*\[key: string\]: ([\s\S]+?);?\s*\}$/.exec(type);
  if (map?.[1]) return { kind: 'map', of: shapeOf(map[1].trim(), imports) };
  const file = imports.get(type);
  // Type aliases (IntOrString, Quantity, Time) are leaves: their files declare no interface.
  return file ? { kind: 'object', file } : { kind: 'leaf' };
}

function importTarget(from: string, specifier: string): string | undefined {
  if (specifier.startsWith('.')) return resolve(dirname(from), specifier.replace(/\.js$/, '.d.ts'));
  const scoped = /^(@[^/]+\/[^/]+|[^@/][^/]*)\/(.+)$/.exec(specifier);
  if (!scoped?.[1] || !scoped[2]) return undefined;
  const root = packageDir(scoped[1]);
  return root ? join(root, `${scoped[2]}.d.ts`) : undefined;
}

const roots = new Map<string, string | undefined>();

/** The installed package's directory, found by walking up from this file to a `node_modules` that has it. */
function packageDir(name: string): string | undefined {
  if (roots.has(name)) return roots.get(name);
  let dir = dirname(fileURLToPath(import.meta.url));
  let found: string | undefined;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) {
      found = candidate;
      break;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  roots.set(name, found);
  return found;
}
