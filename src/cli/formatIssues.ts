import type { ValidationIssue } from '../errors/WorkflowValidationError.js';

/** One line per problem, `file:line:column  path  message  [CODE]`, as editors and people read them. */
export function formatIssues(file: string, issues: readonly ValidationIssue[]): string {
  return issues
    .map((issue) => {
      const where = issue.line === undefined ? file : `${file}:${issue.line}:${issue.column ?? 1}`;
      return `${where}  ${issue.path || '<root>'}  ${issue.message}  [${issue.code}]`;
    })
    .join('\n');
}
