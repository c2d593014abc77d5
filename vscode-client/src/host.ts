// The real DiscoveryHost: the file system, the environment, and running a Python's probe.
import { execFile } from 'node:child_process';
import { constants, promises as fs } from 'node:fs';
import * as os from 'node:os';

import { DiscoveryHost, PROBE_SCRIPT, PythonInfo, parseProbe } from './discovery';

const PROBE_TIMEOUT_MS = 15_000;

export async function isExecutable(file: string): Promise<boolean> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) return false;
    await fs.access(file, process.platform === 'win32' ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export async function isDirectory(folder: string): Promise<boolean> {
  try {
    return (await fs.stat(folder)).isDirectory();
  } catch {
    return false;
  }
}

export function probe(python: string, env: NodeJS.ProcessEnv = process.env): Promise<PythonInfo | undefined> {
  return new Promise((resolve) => {
    execFile(python, ['-c', PROBE_SCRIPT], { env, timeout: PROBE_TIMEOUT_MS, windowsHide: true }, (error, stdout) => {
      resolve(error ? undefined : parseProbe(stdout));
    });
  });
}

export function nodeHost(workspaceFolder: string | undefined): DiscoveryHost {
  return {
    platform: process.platform,
    env: process.env,
    userHome: os.homedir(),
    workspaceFolder,
    isExecutable,
    isDirectory,
    probe: (python) => probe(python),
  };
}
