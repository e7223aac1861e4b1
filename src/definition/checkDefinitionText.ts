import { CST, Lexer } from 'yaml';
import type { ValidationIssue } from '../errors/WorkflowValidationError.js';
import { DefinitionLimits } from './DefinitionLimits.js';

/**
 * Checks definition text against the size and nesting limits before a parser sees it: the YAML
 * parser recurses per level and can exhaust the stack (or abort the process) on text a few
 * kilobytes long. The lexer it builds on does not recurse, so it measures the nesting here in
 * one linear pass.
 *
 * @example
 * checkDefinitionText('['.repeat(1_000)); // { code: 'DEFINITION_TOO_DEEP', ... }
 */
export function checkDefinitionText(text: string): ValidationIssue | undefined {
  if (text.length > DefinitionLimits.maxTextChars) {
    return {
      code: 'DEFINITION_TOO_LARGE',
      path: '',
      message: `the definition text has ${text.length} characters; the limit is ${DefinitionLimits.maxTextChars}`,
    };
  }
  const nesting = textNesting(text);
  if (nesting === undefined) return undefined;
  return {
    code: 'DEFINITION_TOO_DEEP',
    path: '',
    line: nesting.line,
    column: 1,
    message: `the definition text nests deeper than ${DefinitionLimits.maxTextNesting} levels`,
  };
}

/** The first line whose nesting bound passes the limit, if any. */
function textNesting(text: string): { line: number } | undefined {
  const check = textNestingCheck();
  for (const token of new Lexer().lex(text)) {
    const found = check(token);
    if (found) return found;
  }
  return undefined;
}

/**
 * The nesting bound of YAML text, one lexer token at a time: returns the line where it first
 * passes {@link DefinitionLimits.maxTextNesting}. Online, so a reader can check each token before
 * its parser sees it (one lexing pass for both).
 *
 * @example
 * const check = textNestingCheck();
 * for (const token of new Lexer().lex(text)) if (check(token)) throw tooDeep;
 */
export function textNestingCheck(): (token: string) => { line: number } | undefined {
  let flow = 0;
  let indent = 0;
  let indicators = 0;
  let line = 1;
  let lineStart = true;
  return (token) => {
    switch (CST.tokenType(token)) {
      case 'newline':
        line += 1;
        indent = 0;
        indicators = 0;
        lineStart = true;
        return undefined;
      case 'space':
        if (lineStart) indent = token.length;
        return undefined;
      case 'flow-map-start':
      case 'flow-seq-start':
        flow += 1;
        break;
      case 'flow-map-end':
      case 'flow-seq-end':
        flow = Math.max(0, flow - 1);
        break;
      case 'seq-item-ind':
      case 'explicit-key-ind':
      case 'map-value-ind':
        // Inside brackets these separate entries; only in block context does each open a level.
        if (flow === 0) indicators += 1;
        break;
      default:
        // A multi-line scalar (block, quoted, plain) is one token: count its lines for the message.
        for (let at = token.indexOf('\n'); at !== -1; at = token.indexOf('\n', at + 1)) line += 1;
        break;
    }
    lineStart = false;
    return flow + indent + indicators > DefinitionLimits.maxTextNesting ? { line } : undefined;
  };
}
