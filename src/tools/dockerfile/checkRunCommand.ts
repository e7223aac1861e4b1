import type { Instruction } from 'dockerfile-ast';
import type { Add } from './lintDockerfile.js';

const INSTALL = /\b(apt-get|apt|yum|dnf|microdnf)\s+((?:-\S+\s+)*)install\b(.*)$/;
const ASSUME_YES = /(?:^|\s)(?:-[a-zA-Z]*y[a-zA-Z]*|--yes|--assume-yes)(?=\s|$)/;

/**
 * Package-manager hygiene and permissions of one `RUN`: `chmod 777` (WORLD_WRITABLE), in-place
 * upgrades (PACKAGE_UPGRADE), installs that would prompt (PACKAGE_NO_CONFIRM), package caches
 * left in the layer (PACKAGE_CACHE_KEPT), `npm install` where `npm ci` and a lock file belong
 * (NPM_INSTALL_WITHOUT_LOCKFILE), and `curl ... | sh` (REMOTE_SCRIPT_PIPED).
 *
 * @example
 * checkRunCommand('yum update -y', 4, stage, add);
 */
export function checkRunCommand(command: string, line: number, stage: readonly Instruction[], add: Add, hasLockFile: boolean | undefined): void {
  const segments = command.split(/&&|\|\||;|\n/).map((segment) => segment.trim());
  if (/\bchmod\s+(?:-[a-zA-Z]+\s+)*(?:0?777|[ugoa]*o[ugoa]*[+=][rwxX]*w|a[+=][rwxX]*w)\b/.test(command) || /\bchmod\s+(?:-[a-zA-Z]+\s+)*(?:0?777)/.test(command)) {
    add('WORLD_WRITABLE', line, `RUN makes files writable by every user (${/chmod[^&;|]*/.exec(command)?.[0].trim() ?? 'chmod 777'}), so the app, or anything that breaks into it, can rewrite code and config`);
  }
  if (/\bcurl\b[^|;&]*\|\s*(?:sudo\s+)?(?:ba|z|da)?sh\b|\bwget\b[^|;&]*-O\s*-[^|;&]*\|\s*(?:sudo\s+)?(?:ba|z|da)?sh\b/.test(command)) {
    add('REMOTE_SCRIPT_PIPED', line, 'RUN pipes a downloaded script straight into a shell: whatever the server returns runs in the build');
  }
  const aptCleaned = /rm\s+-rf?\s+\/var\/lib\/apt\/lists/.test(command);
  for (const segment of segments) {
    if (/\b(?:yum|dnf|microdnf)\s+(?:-\S+\s+)*(?:update|upgrade)\b/.test(segment) || /\bapt(?:-get)?\s+(?:-\S+\s+)*(?:upgrade|dist-upgrade|full-upgrade)\b/.test(segment) || /\bapk\s+(?:-\S+\s+)*upgrade\b/.test(segment)) {
      add('PACKAGE_UPGRADE', line, `"${segment}" upgrades packages in place: the image differs with every build; pin a newer base image instead`);
    }
    const install = INSTALL.exec(segment);
    if (install !== null && install[1] !== 'microdnf' && !ASSUME_YES.test(`${install[2] ?? ''} ${install[3] ?? ''}`)) {
      add('PACKAGE_NO_CONFIRM', line, `"${segment}" asks for confirmation, which a build cannot give, so it fails`);
    }
    if (install !== null && (install[1] === 'apt-get' || install[1] === 'apt') && !aptCleaned) {
      add('PACKAGE_CACHE_KEPT', line, 'apt lists stay in the layer; remove /var/lib/apt/lists/* in the same RUN');
    }
    if (install !== null && (install[1] === 'yum' || install[1] === 'dnf') && !/\b(?:yum|dnf)\s+clean\s+all\b/.test(command)) {
      add('PACKAGE_CACHE_KEPT', line, `${install[1]} metadata stays in the layer; run ${install[1]} clean all in the same RUN`);
    }
    if (/\bapk\s+(?:-\S+\s+)*add\b/.test(segment) && !/--no-cache/.test(segment) && !/rm\s+-rf?\s+\/var\/cache\/apk/.test(command)) {
      add('PACKAGE_CACHE_KEPT', line, 'apk keeps its index in the layer; use apk add --no-cache');
    }
    const npm = /\bnpm\s+(?:i|install)\b(.*)$/.exec(segment);
    if (npm !== null && (npm[1] ?? '').split(/\s+/).every((word) => word === '' || word.startsWith('-')) && !/(?:^|\s)-g\b|--global/.test(npm[1] ?? '')) {
      const lockCopied = stage.some((instruction) => instruction.getKeyword() === 'COPY' && /package-lock\.json|npm-shrinkwrap\.json/.test(instruction.getTextContent()));
      const why = hasLockFile === false ? 'the build context has no package-lock.json' : lockCopied ? 'npm install may rewrite the lock file it was given' : 'no lock file is copied into this stage';
      add('NPM_INSTALL_WITHOUT_LOCKFILE', line, `"${segment}" resolves dependency versions afresh: ${why}, so two builds can ship different code`);
    }
  }
}
