import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRuntime, defineTool, validateWorkflow, type Runtime, type WorkflowDefinitionInput } from '../src/index.js';
import { createLocalInspector, type LocalInspector } from '../src/inspect/createLocalInspector.js';
import { STEP_COLOURS } from '../src/inspect/inspectorPage.js';
import { startStatelyInspector } from '../src/inspect/startStatelyInspector.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const MISSING = `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run the browser test of the local inspector`;

/** Outside CI a missing browser skips the test, saying why; in CI it fails. */
function requireChromium(context: { skip: (note?: string) => never }): void {
  if (existsSync(CHROMIUM)) return;
  if (process.env['CI'] === 'true') throw new Error(`${MISSING}; .ci/run must install it`);
  context.skip(MISSING);
}

/** Promises the test releases one step at a time, so the run advances when the test says. */
function createGates() {
  const gates = new Map<string, { promise: Promise<void>; release: () => void }>();
  const gate = (stepId: string) => {
    let entry = gates.get(stepId);
    if (!entry) {
      let release = (): void => undefined;
      const promise = new Promise<void>((resolve) => (release = resolve));
      entry = { promise, release };
      gates.set(stepId, entry);
    }
    return entry;
  };
  return { wait: (stepId: string) => gate(stepId).promise, release: (stepId: string) => gate(stepId).release() };
}

const definitionInput: WorkflowDefinitionInput = {
  id: 'watched',
  steps: [
    { id: 'fetch', tool: 'gated' },
    { id: 'build', tool: 'gated', dependsOn: ['fetch'] },
    { id: 'lint', tool: 'gated', dependsOn: ['fetch'], when: "input.lint == true" },
    { id: 'publish', tool: 'gated', dependsOn: ['build'] },
  ],
};

/** `#2563eb` -> `rgb(37, 99, 235)`, as `getComputedStyle` reports it. */
function rgb(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((at) => Number.parseInt(hex.slice(at, at + 2), 16));
  return `rgb(${r}, ${g}, ${b})`;
}

/** The one browser global the test calls (the project compiles without the DOM library). */
type BrowserGlobals = { getComputedStyle(element: unknown): { fill: string } };

const statusOf = (page: Page, stepId: string) => page.locator(`g.step[data-step="${stepId}"]`).getAttribute('data-status');
const fillOf = (page: Page, stepId: string) =>
  page.locator(`g.step[data-step="${stepId}"] rect`).evaluate((rect) => (globalThis as unknown as BrowserGlobals).getComputedStyle(rect).fill);
const waitForStatus = (page: Page, stepId: string, status: string) => page.waitForSelector(`g.step[data-step="${stepId}"][data-status="${status}"]`, { state: 'attached' });

describe('orchkit inspect: the offline page in headless Chromium', () => {
  let browser: Browser | undefined;
  let inspector: LocalInspector | undefined;
  let runtime: Runtime | undefined;
  afterEach(async () => {
    await browser?.close();
    await inspector?.stop();
    await runtime?.stop();
    browser = undefined;
    inspector = undefined;
    runtime = undefined;
  });

  it('colours each step by its live state as the run advances, and the screenshots change', async (context) => {
    requireChromium(context);
    const gates = createGates();
    const gated = defineTool({
      name: 'gated',
      description: 'finishes when the test releases its step',
      input: z.object({}),
      output: z.object({ stepId: z.string() }),
      run: async (_input, ctx) => {
        await Promise.race([gates.wait(ctx.stepId), new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }))]);
        return { stepId: ctx.stepId };
      },
    });
    runtime = createRuntime({ tools: [gated] });
    const validated = validateWorkflow(definitionInput, { tools: runtime.tools });
    if (!validated.success) throw new Error(JSON.stringify(validated.issues));
    const correlationId = 'watched-run';
    inspector = await createLocalInspector({ runtime, definition: validated.definition, correlationId, port: 0 });
    expect(inspector.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1000, height: 560 } });
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(inspector.url);
    await page.waitForSelector('#connection[data-connection="open"]');
    expect(inspector.viewers).toBe(1);
    expect(await statusOf(page, 'fetch')).toBe('pending');
    expect(await fillOf(page, 'fetch')).toBe(rgb(STEP_COLOURS.pending));

    const execution = runtime.startWorkflow(validated.definition, { correlationId, input: { lint: false } });
    await waitForStatus(page, 'fetch', 'running');
    const runningFill = await fillOf(page, 'fetch');
    expect(runningFill).toBe(rgb(STEP_COLOURS.running));
    const shots = await mkdtemp(join(tmpdir(), 'orchkit-inspect-'));
    const whileRunning = await page.screenshot({ path: join(shots, '1-fetch-running.png') });

    gates.release('fetch');
    await waitForStatus(page, 'fetch', 'completed');
    await waitForStatus(page, 'build', 'running');
    await waitForStatus(page, 'lint', 'skipped');
    const completedFill = await fillOf(page, 'fetch');
    expect(completedFill).toBe(rgb(STEP_COLOURS.completed));
    expect(completedFill).not.toBe(runningFill);
    expect(await fillOf(page, 'lint')).toBe(rgb(STEP_COLOURS.skipped));
    const afterFetch = await page.screenshot({ path: join(shots, '2-fetch-completed.png') });
    expect(afterFetch.equals(whileRunning)).toBe(false);

    gates.release('build');
    gates.release('publish');
    expect((await execution.result).status).toBe('completed');
    await page.waitForSelector('#run[data-status="completed"]');
    expect(await statusOf(page, 'publish')).toBe('completed');
    await page.screenshot({ path: join(shots, '3-finished.png') });
    await context.annotate(`screenshots of the local inspector: ${shots}`);

    // Self-contained: every request went to the inspector itself, and the CSP let the page run.
    expect(requests.every((url) => url.startsWith(inspector?.url ?? '-'))).toBe(true);
    expect(problems).toEqual([]);
  });

  it('replays what already happened to a page opened after the run, and cancels unfinished steps on cancel', async (context) => {
    requireChromium(context);
    const gates = createGates();
    const gated = defineTool({
      name: 'gated',
      description: 'finishes when the test releases its step',
      input: z.object({}),
      output: z.object({}),
      run: async (_input, ctx) => {
        await Promise.race([gates.wait(ctx.stepId), new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }))]);
        return {};
      },
    });
    runtime = createRuntime({ tools: [gated] });
    const validated = validateWorkflow(definitionInput, { tools: runtime.tools });
    if (!validated.success) throw new Error(JSON.stringify(validated.issues));
    inspector = await createLocalInspector({ runtime, definition: validated.definition, correlationId: 'late' });
    const execution = runtime.startWorkflow(validated.definition, { correlationId: 'late', input: { lint: true } });
    gates.release('fetch');
    gates.release('lint');
    await new Promise((resolve) => setTimeout(resolve, 50));
    execution.cancel('enough');
    expect((await execution.result).status).toBe('cancelled');

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    const page = await browser.newPage();
    await page.goto(inspector.url);
    await page.waitForSelector('#run[data-status="cancelled"]');
    expect(await statusOf(page, 'fetch')).toBe('completed');
    expect(await statusOf(page, 'lint')).toBe('completed');
    expect(await statusOf(page, 'build')).toBe('cancelled');
    expect(await statusOf(page, 'publish')).toBe('cancelled');
    expect(await fillOf(page, 'publish')).toBe(rgb(STEP_COLOURS.cancelled));
  });

  it('bridges inspection events from the relay into the embedded inspector UI (a local stand-in for stately.ai)', async (context) => {
    requireChromium(context);
    // The stand-in UI, on another origin like the real one: it announces itself and records what it gets.
    const ui = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(`<script>window.received = []; addEventListener('message', (e) => received.push(e.data.type)); parent.postMessage({ type: '@statelyai.connected' }, '*');</script>`);
    });
    await new Promise<void>((resolve) => ui.listen(0, '127.0.0.1', resolve));
    const uiUrl = `http://127.0.0.1:${(ui.address() as AddressInfo).port}/inspect`;
    try {
      const stately = await startStatelyInspector({ inspectorUrl: uiUrl });
      runtime = createRuntime({ inspect: stately.inspect });
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      await page.goto(stately.url);
      const frame = await (await page.waitForSelector('iframe#inspector')).contentFrame();
      await frame?.waitForFunction(() => {
        const received = (globalThis as unknown as { received?: string[] }).received ?? [];
        return received.includes('@xstate.actor') && received.includes('@xstate.snapshot');
      });
      expect(problems).toEqual([]);
      await browser.close();
      browser = undefined;
      await runtime.stop();
      runtime = undefined;
      await stately.stop();
    } finally {
      ui.closeAllConnections();
      await new Promise((resolve) => ui.close(resolve));
    }
  });

  // Leak check: no server, socket, child process or timer of ours outlives the tests (vitest's
  // own timers come and go, so no kind of resource may be more numerous than before).
  const handles = (): Record<string, number> => {
    const counts: Record<string, number> = {};
    for (const resource of process.getActiveResourcesInfo()) counts[resource] = (counts[resource] ?? 0) + 1;
    return counts;
  };
  let before: Record<string, number> = {};
  beforeAll(() => {
    before = handles();
  });
  afterAll(async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const extra = Object.entries(handles()).filter(([resource, count]) => count > (before[resource] ?? 0));
    expect(extra).toEqual([]);
  });
});
