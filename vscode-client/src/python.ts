// The interpreter selected in the Python extension (ms-python.python), through its API:
// `environments` (current) or `settings.getExecutionDetails` (older releases).

export const PYTHON_EXTENSION_ID = 'ms-python.python';

interface Event<T> {
  (listener: (value: T) => unknown): { dispose(): unknown };
}

interface EnvironmentPath {
  id: string;
  path: string;
}

/** The parts of the Python extension's API this extension uses. */
export interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: unknown): EnvironmentPath;
    resolveEnvironment(environment: EnvironmentPath | string): Promise<{ executable: { uri?: { fsPath: string } } } | undefined>;
    onDidChangeActiveEnvironmentPath?: Event<unknown>;
  };
  settings?: {
    getExecutionDetails?(resource?: unknown): { execCommand: string[] | undefined };
    onDidChangeExecutionDetails?: Event<unknown>;
  };
}

export async function selectedInterpreter(api: PythonExtensionApi | undefined, resource?: unknown): Promise<string | undefined> {
  if (api?.environments) {
    const active = api.environments.getActiveEnvironmentPath(resource);
    const resolved = await api.environments.resolveEnvironment(active);
    const executable = resolved?.executable.uri?.fsPath;
    if (executable) {
      return executable;
    }
  }
  // A command such as ["conda", "run", ...] is not an interpreter this extension can run.
  const command = api?.settings?.getExecutionDetails?.(resource).execCommand;
  return command?.length === 1 ? command[0] : undefined;
}

/** Fires when the user selects another interpreter. */
export function onInterpreterChange(api: PythonExtensionApi | undefined, listener: () => unknown): { dispose(): unknown } | undefined {
  const event = api?.environments?.onDidChangeActiveEnvironmentPath ?? api?.settings?.onDidChangeExecutionDetails;
  return event?.(() => listener());
}
