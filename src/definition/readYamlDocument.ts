import { Composer, Lexer, LineCounter, Parser, type Document } from 'yaml';
import type { CST } from 'yaml';
import { textNestingCheck } from './checkDefinitionText.js';

/** Lexer tokens read between two yields of {@link readYamlDocument}. */
const TOKENS_PER_TURN = 5_000;

/**
 * Reads YAML text into a document in one lexing pass that checks the nesting bound token by
 * token before the parser sees it, yielding every {@link TOKENS_PER_TURN} tokens so an async
 * caller can give the event loop turns (lexing and parsing are most of the time; composing the
 * document is one turn). Answers `undefined` for text it does not read cleanly (past the nesting
 * bound, a syntax error, several documents): the caller reads that again with `parseDocument` for
 * exact, located errors.
 *
 * @example
 * const read = runToEnd(readYamlDocument(text)) ?? fallback(text);
 */
export function* readYamlDocument(text: string): Generator<undefined, { document: Document; lines: LineCounter } | undefined> {
  const lines = new LineCounter();
  const parser = new Parser(lines.addNewLine);
  const nesting = textNestingCheck();
  const tokens: CST.Token[] = [];
  lines.addNewLine(0); // what `Parser.parse` does first; `next` is fed by hand here
  let read = 0;
  for (const lexeme of new Lexer().lex(text)) {
    if (nesting(lexeme)) return undefined;
    for (const token of parser.next(lexeme)) tokens.push(token);
    read += 1;
    if (read % TOKENS_PER_TURN === 0) yield;
  }
  for (const token of parser.end()) tokens.push(token);
  yield;
  const documents = [...new Composer({ uniqueKeys: true }).compose(tokens, true, text.length)];
  const [document] = documents;
  if (documents.length !== 1 || document === undefined || document.errors.length > 0) return undefined;
  return { document, lines };
}
