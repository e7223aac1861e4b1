import { createHash } from 'node:crypto';
import { escapeXml } from '../visualize/workflowSvg.js';

/** Fill colour of a step node in each live state (the page's legend and CSS). */
export const STEP_COLOURS = {
  pending: '#cbd5e1',
  running: '#2563eb',
  retrying: '#f59e0b',
  completed: '#16a34a',
  failed: '#dc2626',
  skipped: '#f1f5f9',
  cancelled: '#334155',
} as const;
export type LiveStepStatus = keyof typeof STEP_COLOURS;

/** States drawn with light text on a dark fill. */
const DARK: ReadonlySet<LiveStepStatus> = new Set(['running', 'completed', 'failed', 'cancelled']);

const STYLE = `
body { margin: 0; font: 14px/1.4 system-ui, sans-serif; color: #0f172a; background: #fff; }
header { display: flex; gap: 12px; align-items: baseline; padding: 12px 20px; border-bottom: 1px solid #e2e8f0; }
h1 { font-size: 18px; margin: 0; }
.badge { padding: 2px 8px; border-radius: 999px; background: #e2e8f0; font-size: 12px; }
#run[data-status="completed"] { background: ${STEP_COLOURS.completed}; color: #fff; }
#run[data-status="failed"], #run[data-status="timed_out"] { background: ${STEP_COLOURS.failed}; color: #fff; }
#run[data-status="running"] { background: ${STEP_COLOURS.running}; color: #fff; }
#run[data-status="cancelled"] { background: ${STEP_COLOURS.cancelled}; color: #fff; }
main { display: flex; gap: 24px; padding: 16px 20px; align-items: flex-start; }
svg.workflow { flex: none; max-width: 100%; height: auto; }
.edge { fill: none; stroke: #64748b; stroke-width: 1.5; }
.edge.conditional { stroke-dasharray: 5 4; }
marker path { fill: #64748b; }
.step rect { stroke: #475569; stroke-width: 1.5; }
.step.conditional rect { stroke-dasharray: 6 3; }
.step text { text-anchor: middle; font-size: 12px; fill: #0f172a; }
.step text.name { font-weight: 600; font-size: 13px; }
.step text.note { font-size: 11px; }
${Object.entries(STEP_COLOURS)
  .map(([status, colour]) => `.step[data-status="${status}"] rect, .legend [data-status="${status}"]::before { fill: ${colour}; background: ${colour}; }`)
  .join('\n')}
${[...DARK].map((status) => `.step[data-status="${status}"] text`).join(', ')} { fill: #fff; }
.step[data-status="skipped"] text { fill: #94a3b8; }
aside { flex: 0 0 360px; }
.legend { list-style: none; padding: 0; margin: 0 0 12px; display: grid; grid-template-columns: 1fr 1fr; gap: 4px; }
.legend li::before { content: ""; display: inline-block; width: 12px; height: 12px; margin-right: 6px; border: 1px solid #475569; border-radius: 3px; vertical-align: -1px; }
#log { font: 12px/1.5 ui-monospace, monospace; padding-left: 36px; margin: 0; max-height: 70vh; overflow: auto; }
`;

// Runs in the browser. Applies the bus messages of one execution to the step nodes.
const SCRIPT = `
const STATUS = { 'step.started': 'running', 'step.retrying': 'retrying', 'step.completed': 'completed', 'step.failed': 'failed', 'step.skipped': 'skipped' };
const FINAL = new Set(['completed', 'failed', 'skipped', 'cancelled']);
const steps = new Map([...document.querySelectorAll('g.step')].map((node) => [node.getAttribute('data-step'), node]));
const run = document.getElementById('run');
const connection = document.getElementById('connection');
const log = document.getElementById('log');
function detail(message) {
  const p = message.payload || {};
  if (p.error) return p.error.code + ': ' + p.error.message;
  if (message.type === 'step.retrying') return 'attempt ' + p.attempt + ' failed; retry in ' + p.delayMs + ' ms';
  if (p.reason) return String(p.reason);
  if (p.attempt > 1) return 'attempt ' + p.attempt;
  return '';
}
function setStep(id, status, text) {
  const node = steps.get(id);
  if (!node) return;
  node.setAttribute('data-status', status);
  node.querySelector('title').textContent = node.getAttribute('data-label') + '\\n' + status + (text ? ': ' + text : '');
}
function apply(message) {
  const text = detail(message);
  if (message.type === 'execution.finished') {
    for (const [id, node] of steps) if (!FINAL.has(node.getAttribute('data-status'))) setStep(id, 'cancelled');
    run.setAttribute('data-status', message.payload.status);
    run.textContent = message.payload.status + ' in ' + message.payload.durationMs + ' ms';
  } else if (STATUS[message.type] && message.stepId) {
    setStep(message.stepId, STATUS[message.type], text);
    if (run.getAttribute('data-status') === 'waiting') { run.setAttribute('data-status', 'running'); run.textContent = 'running'; }
  }
  const entry = document.createElement('li');
  entry.textContent = new Date(message.timestamp).toISOString().slice(11, 23) + ' ' + message.type + (message.stepId ? ' ' + message.stepId : '') + (text ? ' - ' + text : '');
  log.prepend(entry);
  while (log.children.length > 200) log.lastElementChild.remove();
}
const socket = new WebSocket('ws://' + location.host + '/events');
socket.onopen = () => { connection.setAttribute('data-connection', 'open'); connection.textContent = 'live'; };
socket.onclose = () => { connection.setAttribute('data-connection', 'closed'); connection.textContent = 'disconnected'; };
socket.onmessage = (event) => apply(JSON.parse(event.data));
`;

const hash = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** `Content-Security-Policy` of {@link inspectorPage}: its own script and style, its WebSocket, nothing else. */
export const INSPECTOR_PAGE_CSP = `default-src 'none'; script-src ${hash(SCRIPT)}; style-src ${hash(STYLE)}; connect-src {wsOrigin}; img-src 'none'; base-uri 'none'; form-action 'none'`;

/**
 * The offline inspector page: one self-contained HTML document (no external resource) with the
 * workflow's step graph as inline SVG, coloured by live state from the messages its WebSocket
 * (`/events` on the same host) delivers.
 *
 * @example
 * const html = inspectorPage({ title: definition.id, svg });
 */
export function inspectorPage(options: { title: string; svg: string }): string {
  const legend = Object.keys(STEP_COLOURS)
    .map((status) => `<li data-status="${status}">${status}</li>`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>orchkit · ${escapeXml(options.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${escapeXml(options.title)}</h1><span id="run" class="badge" data-status="waiting">waiting for the run</span><span id="connection" class="badge" data-connection="connecting">connecting</span></header>
<main>
${options.svg}
<aside><ul class="legend">${legend}</ul><ol id="log" reversed></ol></aside>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
