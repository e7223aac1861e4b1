import { maskSecret } from './maskSecret.js';
import type { SecretRule, SecretSeverity } from './SecretRule.js';

/** A secret found in a text; `preview` is the line with every secret on it masked. */
export interface TextFinding {
  /** 1-based. */
  line: number;
  /** 1-based, where the secret starts. */
  column: number;
  rule: string;
  severity: SecretSeverity;
  preview: string;
}

interface Span {
  start: number;
  end: number;
  rule: SecretRule;
  secret: string;
}

const PREVIEW_WIDTH = 120;

/**
 * Runs `rules` over each line of `text`. A match overlapping an earlier one on the same line is
 * dropped, so the more specific rules listed first win over the generic ones.
 *
 * @example
 * scanText("key = 'AKIA0000FAKE0KEY0000'", SECRET_RULES)[0]?.preview; // "key = 'AKIA****************'"
 */
export function scanText(text: string, rules: readonly SecretRule[]): TextFinding[] {
  const findings: TextFinding[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const spans: Span[] = [];
    for (const rule of rules) {
      for (const match of line.matchAll(rule.pattern)) {
        const group = match.length - 1;
        const secret = match[group];
        const range = match.indices?.[group];
        if (secret === undefined || range === undefined) continue;
        const name = group > 1 ? match[1] : undefined;
        if (rule.accept !== undefined && !rule.accept(secret, name)) continue;
        const [start, end] = range;
        if (spans.some((span) => start < span.end && end > span.start)) continue;
        spans.push({ start, end, rule, secret });
      }
    }
    if (spans.length === 0) return;
    spans.sort((a, b) => a.start - b.start);
    const { masked, starts } = maskLine(line, spans);
    spans.forEach((span, position) => {
      const maskedStart = starts[position] ?? 0;
      findings.push({ line: index + 1, column: span.start + 1, rule: span.rule.id, severity: span.rule.severity, preview: window(masked, maskedStart) });
    });
  });
  return findings;
}

/** The line with each span replaced by its mask, and where each mask starts in it. */
function maskLine(line: string, spans: readonly Span[]): { masked: string; starts: number[] } {
  let masked = '';
  let cursor = 0;
  const starts: number[] = [];
  for (const span of spans) {
    masked += line.slice(cursor, span.start);
    starts.push(masked.length);
    masked += maskSecret(span.secret);
    cursor = span.end;
  }
  return { masked: masked + line.slice(cursor), starts };
}

function window(line: string, at: number): string {
  const start = Math.max(0, Math.min(at - 40, line.length - PREVIEW_WIDTH));
  const end = Math.min(line.length, start + PREVIEW_WIDTH);
  return `${start > 0 ? '…' : ''}${line.slice(start, end).trim()}${end < line.length ? '…' : ''}`;
}
