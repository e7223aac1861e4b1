/**
 * What a terminal shows after `output` is written to it: a small emulator of the escapes that
 * live displays (listr2, log-update) use — cursor up/down/column, erase line and screen, carriage
 * return, new line. Colours and other escapes are dropped.
 */
export function terminalScreen(output: string): string[] {
  const lines: string[] = [''];
  let row = 0;
  let column = 0;
  const put = (char: string): void => {
    const line = (lines[row] ?? '').padEnd(column, ' ');
    lines[row] = line.slice(0, column) + char + line.slice(column + 1);
    column += 1;
  };
  for (let i = 0; i < output.length; i++) {
    const char = output[i] ?? '';
    if (char === '\u001b') {
      const csi = /^\[([?\d;]*)([A-Za-z])/.exec(output.slice(i + 1));
      // An OSC string (window title, hyperlink) runs to BEL.
      const bell = output.slice(i + 1).startsWith(']') ? output.indexOf('\u0007', i) : -1;
      if (bell !== -1) i = bell;
      if (!csi) continue;
      i += csi[0].length;
      const n = Number.parseInt(csi[1] ?? '', 10);
      const count = Number.isNaN(n) ? 1 : n;
      switch (csi[2]) {
        case 'A': row = Math.max(0, row - count); break;
        case 'B': row += count; break;
        case 'G': column = Math.max(0, (Number.isNaN(n) ? 1 : n) - 1); break;
        case 'K': lines[row] = (csi[1] ?? '') === '2' ? '' : (lines[row] ?? '').slice(0, column); break;
        case 'J': lines.splice(row + 1); lines[row] = (lines[row] ?? '').slice(0, column); break;
        default: break;
      }
      while (lines.length <= row) lines.push('');
    } else if (char === '\r') column = 0;
    else if (char === '\n') {
      row += 1;
      column = 0;
      while (lines.length <= row) lines.push('');
    } else put(char);
  }
  return lines.map((line) => line.trimEnd());
}
