/**
 * The body of one `[table]` of a TOML file, up to the next table header. Only the few flat
 * tables the analysis needs (`[tool.poetry.dependencies]`, `[packages]` of a Pipfile) are read
 * this way: no TOML parser is among the project's dependencies, and these tables are plain
 * `key = value` lines.
 *
 * @example
 * tomlSection(pipfile, 'packages'); // 'flask = "*"\n'
 */
export function tomlSection(text: string, table: string): string | undefined {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.trim() === `[${table}]`);
  if (start < 0) return undefined;
  const end = lines.findIndex((line, index) => index > start && /^\s*\[/.test(line));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/** The keys of the `key = value` lines of a TOML table body. */
export function tomlKeys(section: string | undefined): string[] {
  if (section === undefined) return [];
  return [...section.matchAll(/^\s*"?([A-Za-z0-9_.-]+)"?\s*=/gm)].map((match) => match[1] ?? '').filter(Boolean);
}

/** A string value (`key = "value"`) of a TOML table body. */
export function tomlString(section: string | undefined, key: string): string | undefined {
  if (section === undefined) return undefined;
  return new RegExp(`^\\s*${key.replaceAll('.', '\\.')}\\s*=\\s*["']([^"']*)["']`, 'm').exec(section)?.[1];
}
