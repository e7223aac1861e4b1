/**
 * Renders a path as users read it: `steps[3].dependsOn[0]`.
 *
 * @example
 * formatPath(['steps', 3, 'dependsOn', 0]); // 'steps[3].dependsOn[0]'
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}
