/**
 * Returns `value` as a flat string. A concatenation of 13 or more characters is a rope in V8,
 * and a rope used as a `Map` key is re-walked on every lookup; ids and inbox topics are map keys
 * on the request/reply hot path, where this measured as the largest single cost. Converting to a
 * number makes V8 flatten the string in place (the trick of the `flatstr` package, used by pino).
 */
export function flatString(value: string): string {
  void Number(value);
  return value;
}
