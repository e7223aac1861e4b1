import { readFileSync } from 'node:fs';
import { terminalScreen } from './test/support/terminalScreen.js';
console.log(terminalScreen(readFileSync('/tmp/out.txt', 'utf8')).join('\n'));
