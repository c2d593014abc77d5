import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { PythonExtensionApi, onInterpreterChange, selectedInterpreter } from '../../src/python';

describe("the Python extension's interpreter", () => {
  test('the environments API: the active environment resolved to its executable', async () => {
    const asked: unknown[] = [];
    const api: PythonExtensionApi = {
      environments: {
        getActiveEnvironmentPath: (resource) => {
          asked.push(resource);
          return { id: 'venv', path: '/work/app/.venv' };
        },
        resolveEnvironment: async (environment) => {
          assert.deepEqual(environment, { id: 'venv', path: '/work/app/.venv' });
          return { executable: { uri: { fsPath: '/work/app/.venv/bin/python' } } };
        },
      },
    };
    assert.equal(await selectedInterpreter(api, 'file:///work/app'), '/work/app/.venv/bin/python');
    assert.deepEqual(asked, ['file:///work/app']);
  });

  test('older releases: settings.getExecutionDetails, only when it is one program', async () => {
    const api = (execCommand: string[] | undefined): PythonExtensionApi => ({ settings: { getExecutionDetails: () => ({ execCommand }) } });
    assert.equal(await selectedInterpreter(api(['/usr/bin/python3'])), '/usr/bin/python3');
    assert.equal(await selectedInterpreter(api(['conda', 'run', '-n', 'base', 'python'])), undefined);
    assert.equal(await selectedInterpreter(api(undefined)), undefined);
  });

  test('an environment that does not resolve falls back to the execution details', async () => {
    const api: PythonExtensionApi = {
      environments: { getActiveEnvironmentPath: () => ({ id: 'x', path: '/x' }), resolveEnvironment: async () => undefined },
      settings: { getExecutionDetails: () => ({ execCommand: ['/usr/bin/python3'] }) },
    };
    assert.equal(await selectedInterpreter(api), '/usr/bin/python3');
  });

  test('no Python extension: nothing selected, nothing to listen to', async () => {
    assert.equal(await selectedInterpreter(undefined), undefined);
    assert.equal(onInterpreterChange(undefined, () => undefined), undefined);
  });

  test('a change of interpreter calls back', () => {
    let listener: ((value: unknown) => unknown) | undefined;
    const api: PythonExtensionApi = {
      environments: {
        getActiveEnvironmentPath: () => ({ id: 'x', path: '/x' }),
        resolveEnvironment: async () => undefined,
        onDidChangeActiveEnvironmentPath: (callback) => {
          listener = callback;
          return { dispose: () => undefined };
        },
      },
    };
    let calls = 0;
    assert.ok(onInterpreterChange(api, () => calls++));
    listener?.({ id: 'y', path: '/y' });
    assert.equal(calls, 1);
  });
});
