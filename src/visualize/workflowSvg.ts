import type { WorkflowLayout } from './layoutWorkflowGraph.js';

/** Escapes text for XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot', "'": 'apos' }[char] ?? ''};`);
}

/**
 * Draws a laid-out step DAG as inline SVG. Each step is `<g class="step" data-step="<id>"
 * data-status="pending">` holding a `rect` and its label, so a page can recolour it by state
 * with CSS alone; edges run from the bottom of a dependency to the top of its dependant, dashed
 * into a conditional step.
 *
 * @example
 * const svg = workflowSvg(layoutWorkflowGraph(workflowGraph(definition)), 'containerize');
 */
export function workflowSvg(layout: WorkflowLayout, title: string): string {
  const edges = layout.edges.map(({ from, to, conditional, points }) => {
    // Vertical tangents at every point: straight through lanes, S-curves between layers.
    const path = points
      .map((point, index) => {
        const previous = points[index - 1];
        if (!previous) return `M${point.x} ${point.y}`;
        const bend = (point.y - previous.y) / 2;
        return `C${previous.x} ${previous.y + bend} ${point.x} ${point.y - bend} ${point.x} ${point.y}`;
      })
      .join(' ');
    return `<path class="edge${conditional ? ' conditional' : ''}" data-from="${escapeXml(from.node.id)}" data-to="${escapeXml(to.node.id)}" d="${path}" marker-end="url(#arrow)"/>`;
  });
  const steps = layout.steps.map(({ node, x, y, width, height, lines, label }) => {
    const texts = lines.map((line, index) => {
      const role = index === 0 ? 'name' : index === 1 ? 'tool' : 'note';
      return `<text class="${role}" x="${x + width / 2}" y="${y + 22 + index * 16}">${escapeXml(line)}</text>`;
    });
    return [
      `<g class="step${node.when === undefined ? '' : ' conditional'}" id="step-${escapeXml(node.id)}" data-step="${escapeXml(node.id)}" data-status="pending" data-label="${escapeXml(label.join('\n'))}">`,
      `<title>${escapeXml(`${label.join('\n')}\npending`)}</title>`,
      `<rect x="${x}" y="${y}" width="${width}" height="${height}" rx="8"/>`,
      ...texts,
      '</g>',
    ].join('');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="workflow" viewBox="0 0 ${layout.width} ${layout.height}" width="${layout.width}" height="${layout.height}" role="img" aria-label="${escapeXml(`step graph of ${title}`)}">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z"/></marker></defs>',
    ...edges,
    ...steps,
    '</svg>',
  ].join('\n');
}
