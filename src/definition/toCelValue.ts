/** Conversions of frozen values, made once: run data is frozen, so the same output is not walked again. */
const converted = new WeakMap<object, unknown>();

/**
 * The form of a JSON value that CEL reads as data. The CEL library types a plain object by its
 * `constructor` property, so an object with an own `constructor` key (tool output, context,
 * input) would be an "unsupported type" and break every expression over it, even one reading
 * another key. Such an object is handed over as a `Map` (a CEL map too); everything else is
 * returned as it is, so the common case copies nothing.
 *
 * @example
 * toCelValue({ constructor: 'x', other: 1 }); // Map { 'constructor' => 'x', 'other' => 1 }
 */
export function toCelValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (converted.has(value)) return converted.get(value);
  const result = convert(value);
  if (Object.isFrozen(value)) converted.set(value, result);
  return result;
}

function convert(value: object): unknown {
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const itemValue = toCelValue(item);
      if (itemValue !== item) (copy ??= value.slice())[i] = itemValue;
    }
    return copy ?? value;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const source = value as Record<string, unknown>;
  const keys = Object.keys(source);
  const values = keys.map((key) => toCelValue(source[key]));
  const ownConstructor = Object.hasOwn(source, 'constructor');
  if (!ownConstructor && values.every((item, i) => item === source[keys[i] as string])) return value;
  const entries = keys.map((key, i) => [key, values[i]] as const);
  // `fromEntries` defines own properties, so a `__proto__` key stays a key.
  return ownConstructor ? new Map(entries) : Object.fromEntries(entries);
}
