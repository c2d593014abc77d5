// The notifications for a server that cannot be found or does not start: what went wrong and
// how to fix it, in one message.
import type { DiscoveryProblem, ServerCommand, ServerSource } from './discovery';
import { MIN_PYTHON } from './discovery';

const MIN = MIN_PYTHON.join('.');
const USE_BUNDLED = 'or remove the setting to use the hullguard bundled with the extension';
const CONFIGURE = `set hullguard.interpreter to a Python ${MIN}+ that has hullguard installed (pip install hullguard), or hullguard.path to the hullguard executable`;

export interface ExitInfo {
  code: number | null;
  signal: string | null;
  /** What the server wrote to standard error. */
  stderr: string;
}

export function problemMessage(problem: DiscoveryProblem): string {
  switch (problem.kind) {
    case 'pathNotFound':
      return `hullguard: cannot start the server: hullguard.path "${problem.setting}" is not an executable file. Set it to the hullguard executable (for example .venv/bin/hullguard), ${USE_BUNDLED}.`;
    case 'interpreterNotFound':
      return `hullguard: cannot start the server: hullguard.interpreter "${problem.setting}" is not an executable file. Set it to a Python ${MIN}+ that has hullguard installed, ${USE_BUNDLED}.`;
    case 'noBundle':
      return `hullguard: cannot start the server: this build of the extension has no bundled hullguard (${problem.libs} is missing). Install a packaged hullguard-X.Y.Z.vsix, or ${CONFIGURE}.`;
    case 'noPython':
      return `hullguard: cannot start the server: the bundled hullguard needs Python ${MIN} or newer and none was found (${problem.tried.join('; ')}). Install Python ${MIN}+, or ${CONFIGURE}.`;
  }
}

function quote(word: string): string {
  return /^[\w@%+=:,./\\-]+$/.test(word) ? word : `"${word.replace(/(["\\$`])/g, '\\$1')}"`;
}

export function commandLine(server: ServerCommand): string {
  return [server.command, ...server.args].map(quote).join(' ');
}

export function sourceLabel(source: ServerSource): string {
  switch (source) {
    case 'path':
      return 'hullguard.path';
    case 'interpreter':
      return 'hullguard.interpreter';
    case 'pythonExtension':
      return 'the Python selected in the Python extension';
    case 'bundled':
      return 'the hullguard bundled with the extension';
  }
}

/** The last line the server wrote to standard error: a traceback's last line says why. */
export function lastError(stderr: string): string | undefined {
  const lines = stderr.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  const last = lines.pop();
  return last && last.length > 300 ? `${last.slice(0, 299)}…` : last;
}

function exitText(exit: ExitInfo): string {
  const status = exit.signal ? `killed by ${exit.signal}` : exit.code === null ? 'closed its output' : `exit code ${exit.code}`;
  const why = lastError(exit.stderr);
  return why ? `${status}: ${why}` : status;
}

function fixFor(server: ServerCommand): string {
  const python = quote(server.command);
  switch (server.source) {
    case 'path':
      return `Check hullguard.path: "${commandLine(server)}" must start hullguard's language server, ${USE_BUNDLED}.`;
    case 'interpreter':
      return `Install hullguard in that Python (${python} -m pip install hullguard), ${USE_BUNDLED}.`;
    case 'pythonExtension':
      return `Upgrade hullguard in the Python selected in the Python extension (${python} -m pip install -U hullguard), or set hullguard.interpreter.`;
    case 'bundled':
      return `The bundled hullguard runs with ${python}: ${CONFIGURE}.`;
  }
}

/** The server exited before it answered `initialize`. */
export function startFailureMessage(server: ServerCommand, exit: ExitInfo): string {
  return `hullguard: the server (${sourceLabel(server.source)}: ${commandLine(server)}) stopped as it started (${exitText(exit)}). ${fixFor(server)}`;
}

/** The server kept crashing after it had started. */
export function crashMessage(server: ServerCommand, exit: ExitInfo, crashes: number, minutes: number): string {
  return `hullguard: the server (${commandLine(server)}) stopped ${crashes} times in ${minutes} minutes and will not be restarted (last: ${exitText(exit)}). See the hullguard output, then run "hullguard: Restart server".`;
}
