// The "hullguard" settings section as the server reads it (initializationOptions and
// workspace/configuration): only the server's settings, and none left unset (null).
// The client's own settings (path, interpreter, trace) stay in the client.

export const SECTION = 'hullguard';

/** The settings the server reads, by their names in the "hullguard" section. */
export const SERVER_SETTINGS = ['select', 'ignore', 'unsafeFixes', 'pssLevel', 'run'] as const;

/** Settings only the client reads; changing path or interpreter restarts the server. */
export const CLIENT_SETTINGS = ['path', 'interpreter', 'trace.server'] as const;
export const RESTART_SETTINGS = ['path', 'interpreter'] as const;

export const FIX_ALL_KIND = 'source.fixAll.hullguard';

export function serverSettings(section: unknown): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  if (section === null || typeof section !== 'object') {
    return settings;
  }
  for (const key of SERVER_SETTINGS) {
    const value = (section as Record<string, unknown>)[key];
    if (value !== undefined && value !== null) {
      settings[key] = value;
    }
  }
  return settings;
}

export function initializationOptions(section: unknown): { hullguard: Record<string, unknown> } {
  return { hullguard: serverSettings(section) };
}

/** The answer to workspace/configuration: the hullguard sections filtered, others untouched. */
export function filterConfiguration(items: readonly { section?: string }[], values: unknown[]): unknown[] {
  return values.map((value, index) => (items[index]?.section === SECTION ? serverSettings(value) : value));
}
