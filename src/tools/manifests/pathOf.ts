/**
 * A document path as people write it: `spec.selector.matchLabels["app.kubernetes.io/name"]`,
 * `spec.template.spec.containers[0].image`; keys that are not identifiers are quoted.
 *
 * @example
 * pathOf(['spec', 'containers', 0, 'image']); // 'spec.containers[0].image'
 */
export function pathOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(String(key))) out += out === '' ? String(key) : `.${String(key)}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}
