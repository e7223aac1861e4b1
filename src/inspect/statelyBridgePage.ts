import { createHash } from 'node:crypto';

/** Stately's hosted inspector UI (needs the internet; `orchkit inspect` is the offline page). */
export const STATELY_INSPECTOR_URL = 'https://stately.ai/inspect';

/**
 * The page that bridges the relay to Stately's inspector: it embeds the inspector UI in an
 * iframe and posts each inspection event it receives over the WebSocket into it, holding them
 * until the UI says `@statelyai.connected` (as `@statelyai/inspect/server` does).
 */
export function statelyBridgePage(inspectorUrl: string): { html: string; contentSecurityPolicy: string } {
  const src = JSON.stringify(inspectorUrl).replace(/</g, '\\u003c');
  const script = `
const iframe = document.getElementById('inspector');
iframe.src = ${src};
const target = new URL(iframe.src).origin;
const pending = [];
let connected = false;
window.addEventListener('message', (event) => {
  if (event.origin !== target || !event.data || event.data.type !== '@statelyai.connected') return;
  connected = true;
  for (const data of pending.splice(0)) iframe.contentWindow.postMessage(data, target);
});
const socket = new WebSocket('ws://' + location.host + '/');
socket.onmessage = (event) => {
  const data = JSON.parse(event.data);
  if (connected) iframe.contentWindow.postMessage(data, target);
  else pending.push(data);
};
`;
  const style = 'html, body { margin: 0; height: 100%; } iframe { width: 100%; height: 100%; border: 0; }';
  const hash = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>orchkit · Stately Inspector</title>
<style>${style}</style>
</head>
<body>
<iframe id="inspector" title="Stately Inspector"></iframe>
<script>${script}</script>
</body>
</html>
`;
  return {
    html,
    contentSecurityPolicy: `default-src 'none'; script-src ${hash(script)}; style-src ${hash(style)}; connect-src {wsOrigin}; frame-src ${new URL(inspectorUrl).origin}; base-uri 'none'`,
  };
}
