// Which hullguard server to start, in the order users of the Python-tools extensions expect:
// hullguard.path (an executable), hullguard.interpreter (a Python with hullguard), the Python
// selected in the Python extension if it has hullguard, else the hullguard bundled in the
// extension (bundled/libs) run by a Python 3.10+ found on PATH. No VS Code API here: the host
// (file system, PATH, probing a Python) is passed in, so the unit tests can fake it.

export type ServerSource = 'path' | 'interpreter' | 'pythonExtension' | 'bundled';

export interface ServerCommand {
  command: string;
  args: string[];
  /** Variables added to the extension host's environment for the server process. */
  env: Record<string, string>;
  source: ServerSource;
}

export type DiscoveryProblem =
  | { kind: 'pathNotFound'; setting: string }
  | { kind: 'interpreterNotFound'; setting: string }
  | { kind: 'noBundle'; libs: string }
  | { kind: 'noPython'; tried: string[] };

export type Discovery =
  | { server: ServerCommand; notes: string[] }
  | { problem: DiscoveryProblem; notes: string[] };

export interface PythonInfo {
  version: [number, number];
  /** `hullguard.server` can be imported. */
  hullguard: boolean;
}

export interface DiscoveryHost {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  userHome: string;
  /** The first workspace folder: relative settings and `${workspaceFolder}` resolve against it. */
  workspaceFolder?: string;
  isExecutable(file: string): Promise<boolean>;
  isDirectory(folder: string): Promise<boolean>;
  /** Runs PROBE_SCRIPT with this Python; undefined when it does not run. */
  probe(python: string): Promise<PythonInfo | undefined>;
}

export interface DiscoveryInput {
  /** hullguard.path */
  path?: string;
  /** hullguard.interpreter */
  interpreter?: string;
  /** The interpreter selected in the Python extension, when it is installed. */
  pythonExtension?: string;
  /** The extension's bundled/libs folder. */
  bundledLibs: string;
}

export const MIN_PYTHON: [number, number] = [3, 10];
export const SERVER_MODULE = 'hullguard.server';

/** Prints what discovery needs to know about a Python, as one JSON line. */
export const PROBE_SCRIPT = [
  'import importlib.util, json, sys',
  'try:',
  `    found = importlib.util.find_spec("${SERVER_MODULE}") is not None`,
  'except Exception:',
  '    found = False',
  'print(json.dumps({"version": list(sys.version_info[:2]), "hullguard": found}))',
].join('\n');

export function parseProbe(stdout: string): PythonInfo | undefined {
  const line = stdout.trim().split(/\r?\n/).pop() ?? '';
  try {
    const value = JSON.parse(line);
    const version = value?.version;
    if (Array.isArray(version) && version.length === 2 && version.every(Number.isInteger) && typeof value.hullguard === 'boolean') {
      return { version: [version[0], version[1]], hullguard: value.hullguard };
    }
  } catch {
    // not the probe's output
  }
  return undefined;
}

export function supportedPython(version: [number, number]): boolean {
  return version[0] > MIN_PYTHON[0] || (version[0] === MIN_PYTHON[0] && version[1] >= MIN_PYTHON[1]);
}

function separators(platform: NodeJS.Platform): RegExp {
  return platform === 'win32' ? /[\\/]/ : /\//;
}

function joinPath(platform: NodeJS.Platform, folder: string, name: string): string {
  const separator = platform === 'win32' ? '\\' : '/';
  return folder.endsWith(separator) || folder.endsWith('/') ? folder + name : folder + separator + name;
}

function isAbsolute(platform: NodeJS.Platform, file: string): boolean {
  return platform === 'win32' ? /^([a-zA-Z]:)?[\\/]/.test(file) : file.startsWith('/');
}

/** A setting's value with `~`, `${userHome}`, `${workspaceFolder}` and `${env:NAME}` expanded. */
export function expandSetting(value: string, host: DiscoveryHost): string {
  let expanded = value.trim();
  if (expanded === '~' || /^~[\\/]/.test(expanded)) {
    expanded = host.userHome + expanded.slice(1);
  }
  return expanded.replace(/\$\{(userHome|workspaceFolder|env:([^}]+))\}/g, (whole, name: string, variable?: string) => {
    if (name === 'userHome') return host.userHome;
    if (name === 'workspaceFolder') return host.workspaceFolder ?? whole;
    return host.env[variable ?? ''] ?? '';
  });
}

/** The executable a setting or a program name stands for: a path (relative ones against the
 * workspace folder), or a bare name looked up on PATH (with PATHEXT on Windows). */
export async function findExecutable(name: string, host: DiscoveryHost): Promise<string | undefined> {
  const { platform } = host;
  const extensions = platform === 'win32' && !/\.[^\\/.]+$/.test(name)
    ? ['', ...(host.env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean)]
    : [''];
  let candidates: string[];
  if (separators(platform).test(name)) {
    const base = host.workspaceFolder;
    const file = isAbsolute(platform, name) || base === undefined ? name : joinPath(platform, base, name);
    candidates = [file];
  } else {
    const pathVariable = host.env.PATH ?? host.env.Path ?? '';
    const folders = pathVariable.split(platform === 'win32' ? ';' : ':').filter(Boolean);
    candidates = folders.map((folder) => joinPath(platform, folder, name));
  }
  for (const candidate of candidates) {
    for (const extension of extensions) {
      if (await host.isExecutable(candidate + extension)) {
        return candidate + extension;
      }
    }
  }
  return undefined;
}

function moduleServer(python: string, source: ServerSource, env: Record<string, string> = {}): ServerCommand {
  return { command: python, args: ['-m', SERVER_MODULE], env, source };
}

function describe(info: PythonInfo | undefined): string {
  if (info === undefined) return 'does not run';
  return `Python ${info.version.join('.')}`;
}

export async function discover(input: DiscoveryInput, host: DiscoveryHost): Promise<Discovery> {
  const notes: string[] = [];
  const path = input.path?.trim();
  if (path) {
    const executable = await findExecutable(expandSetting(path, host), host);
    if (executable === undefined) return { problem: { kind: 'pathNotFound', setting: path }, notes };
    return { server: { command: executable, args: ['server'], env: {}, source: 'path' }, notes };
  }
  const interpreter = input.interpreter?.trim();
  if (interpreter) {
    const python = await findExecutable(expandSetting(interpreter, host), host);
    if (python === undefined) return { problem: { kind: 'interpreterNotFound', setting: interpreter }, notes };
    return { server: moduleServer(python, 'interpreter'), notes };
  }
  const selected = input.pythonExtension;
  if (selected) {
    const info = await host.probe(selected);
    if (info !== undefined && info.hullguard && supportedPython(info.version)) {
      return { server: moduleServer(selected, 'pythonExtension'), notes };
    }
    const why = info === undefined ? 'does not run' : info.hullguard ? `is ${describe(info)}` : 'has no hullguard';
    notes.push(`the Python selected in the Python extension (${selected}) ${why}: using the bundled hullguard`);
  }
  if (!(await host.isDirectory(joinPath(host.platform, input.bundledLibs, 'hullguard')))) {
    return { problem: { kind: 'noBundle', libs: input.bundledLibs }, notes };
  }
  const pythonPath = [input.bundledLibs, host.env.PYTHONPATH].filter(Boolean).join(host.platform === 'win32' ? ';' : ':');
  const names = host.platform === 'win32' ? ['python', 'python3'] : ['python3', 'python'];
  const tried: string[] = [];
  for (const candidate of [...names, ...(selected ? [selected] : [])]) {
    const python = await findExecutable(candidate, host);
    if (python === undefined) {
      tried.push(`${candidate}: not found`);
      continue;
    }
    const info = await host.probe(python);
    if (info !== undefined && supportedPython(info.version)) {
      return { server: moduleServer(python, 'bundled', { PYTHONPATH: pythonPath }), notes };
    }
    tried.push(`${python}: ${describe(info)}`);
  }
  return { problem: { kind: 'noPython', tried }, notes };
}
