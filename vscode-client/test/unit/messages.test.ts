import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { ServerCommand } from '../../src/discovery';
import { commandLine, crashMessage, lastError, problemMessage, startFailureMessage } from '../../src/messages';

const TRACEBACK = `Traceback (most recent call last):
  File "<frozen runpy>", line 189, in _run_module_as_main
  File "<frozen runpy>", line 148, in _get_module_details
ModuleNotFoundError: No module named 'hullguard'
`;

describe('the missing or broken server notification', () => {
  test('a hullguard.path that is not there: what is wrong and the two ways out', () => {
    assert.equal(
      problemMessage({ kind: 'pathNotFound', setting: '~/bin/hullguard' }),
      'hullguard: cannot start the server: hullguard.path "~/bin/hullguard" is not an executable file. Set it to the hullguard executable (for example .venv/bin/hullguard), or remove the setting to use the hullguard bundled with the extension.',
    );
  });

  test('a hullguard.interpreter that is not there', () => {
    assert.equal(
      problemMessage({ kind: 'interpreterNotFound', setting: '/opt/py/bin/python' }),
      'hullguard: cannot start the server: hullguard.interpreter "/opt/py/bin/python" is not an executable file. Set it to a Python 3.10+ that has hullguard installed, or remove the setting to use the hullguard bundled with the extension.',
    );
  });

  test('no Python for the bundled hullguard lists what was tried', () => {
    assert.equal(
      problemMessage({ kind: 'noPython', tried: ['python3: not found', '/usr/bin/python: Python 3.8'] }),
      'hullguard: cannot start the server: the bundled hullguard needs Python 3.10 or newer and none was found (python3: not found; /usr/bin/python: Python 3.8). Install Python 3.10+, or set hullguard.interpreter to a Python 3.10+ that has hullguard installed (pip install hullguard), or hullguard.path to the hullguard executable.',
    );
  });

  test('no bundle (a development build)', () => {
    assert.match(problemMessage({ kind: 'noBundle', libs: '/ext/bundled/libs' }), /no bundled hullguard \(\/ext\/bundled\/libs is missing\)\. Install a packaged hullguard-X\.Y\.Z\.vsix, or set hullguard\.interpreter/);
  });

  test('an interpreter without hullguard: the traceback\'s last line and the pip command', () => {
    const server: ServerCommand = { command: '/opt/my env/bin/python', args: ['-m', 'hullguard.server'], env: {}, source: 'interpreter' };
    assert.equal(
      startFailureMessage(server, { code: 1, signal: null, stderr: TRACEBACK }),
      'hullguard: the server (hullguard.interpreter: "/opt/my env/bin/python" -m hullguard.server) stopped as it started (exit code 1: ModuleNotFoundError: No module named \'hullguard\'). Install hullguard in that Python ("/opt/my env/bin/python" -m pip install hullguard), or remove the setting to use the hullguard bundled with the extension.',
    );
  });

  test('a hullguard.path program that is not hullguard', () => {
    const server: ServerCommand = { command: '/usr/bin/true', args: ['server'], env: {}, source: 'path' };
    assert.equal(
      startFailureMessage(server, { code: 0, signal: null, stderr: '' }),
      'hullguard: the server (hullguard.path: /usr/bin/true server) stopped as it started (exit code 0). Check hullguard.path: "/usr/bin/true server" must start hullguard\'s language server, or remove the setting to use the hullguard bundled with the extension.',
    );
  });

  test('the bundled server killed by a signal', () => {
    const server: ServerCommand = { command: '/usr/bin/python3', args: ['-m', 'hullguard.server'], env: { PYTHONPATH: '/ext/bundled/libs' }, source: 'bundled' };
    assert.match(startFailureMessage(server, { code: null, signal: 'SIGKILL', stderr: '' }), /\(the hullguard bundled with the extension: \/usr\/bin\/python3 -m hullguard\.server\) stopped as it started \(killed by SIGKILL\)\. The bundled hullguard runs with \/usr\/bin\/python3: set hullguard\.interpreter/);
  });

  test('a server that keeps crashing', () => {
    const server: ServerCommand = { command: '/usr/bin/python3', args: ['-m', 'hullguard.server'], env: {}, source: 'pythonExtension' };
    assert.equal(
      crashMessage(server, { code: 1, signal: null, stderr: 'MemoryError\n' }, 5, 3),
      'hullguard: the server (/usr/bin/python3 -m hullguard.server) stopped 5 times in 3 minutes and will not be restarted (last: exit code 1: MemoryError). See the hullguard output, then run "hullguard: Restart server".',
    );
  });

  test('command lines quote what a shell would split', () => {
    assert.equal(commandLine({ command: 'C:\\Program Files\\Python\\python.exe', args: ['-m', 'hullguard.server'], env: {}, source: 'interpreter' }), '"C:\\\\Program Files\\\\Python\\\\python.exe" -m hullguard.server');
  });

  test('the last error line is trimmed and bounded', () => {
    assert.equal(lastError('\n  first\n  second  \n\n'), 'second');
    assert.equal(lastError(''), undefined);
    assert.equal(lastError('x'.repeat(400))?.length, 300);
  });
});
