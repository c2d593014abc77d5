import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { DiscoveryHost, PythonInfo, discover, expandSetting, findExecutable, parseProbe } from '../../src/discovery';

const LIBS = '/ext/bundled/libs';

/** A machine with these executables (and what each Python says when probed). */
function host(files: Record<string, PythonInfo | 'program'>, overrides: Partial<DiscoveryHost> = {}): DiscoveryHost & { probed: string[] } {
  const probed: string[] = [];
  return {
    platform: 'linux',
    env: { PATH: '/usr/local/bin:/usr/bin' },
    userHome: '/home/me',
    workspaceFolder: '/work/app',
    isExecutable: async (file) => file in files,
    isDirectory: async (folder) => folder === `${LIBS}/hullguard`,
    probe: async (python) => {
      probed.push(python);
      const info = files[python];
      return info === undefined || info === 'program' ? undefined : info;
    },
    probed,
    ...overrides,
  };
}

const PY312: PythonInfo = { version: [3, 12], hullguard: false };
const PY312_HG: PythonInfo = { version: [3, 12], hullguard: true };

describe('server discovery', () => {
  test('hullguard.path wins and runs `hullguard server`', async () => {
    const machine = host({ '/opt/hg/bin/hullguard': 'program', '/usr/bin/python3': PY312_HG });
    const found = await discover({ path: '/opt/hg/bin/hullguard', interpreter: '/usr/bin/python3', bundledLibs: LIBS }, machine);
    assert.deepEqual(found, { server: { command: '/opt/hg/bin/hullguard', args: ['server'], env: {}, source: 'path' }, notes: [] });
  });

  test('hullguard.path: relative to the workspace folder, variables and ~ expanded, bare names on PATH', async () => {
    const machine = host({ '/work/app/.venv/bin/hullguard': 'program', '/home/me/bin/hullguard': 'program', '/usr/bin/hullguard': 'program' });
    const command = async (setting: string) => {
      const found = await discover({ path: setting, bundledLibs: LIBS }, machine);
      return 'server' in found ? found.server.command : found.problem.kind;
    };
    assert.equal(await command('.venv/bin/hullguard'), '/work/app/.venv/bin/hullguard');
    assert.equal(await command('${workspaceFolder}/.venv/bin/hullguard'), '/work/app/.venv/bin/hullguard');
    assert.equal(await command('~/bin/hullguard'), '/home/me/bin/hullguard');
    assert.equal(await command('${userHome}/bin/hullguard'), '/home/me/bin/hullguard');
    assert.equal(await command('hullguard'), '/usr/bin/hullguard');
    assert.equal(await command('  hullguard  '), '/usr/bin/hullguard');
  });

  test('a hullguard.path that is not there is a problem, not a silent fallback', async () => {
    const machine = host({ '/usr/bin/python3': PY312 });
    const found = await discover({ path: '/nowhere/hullguard', bundledLibs: LIBS }, machine);
    assert.deepEqual(found, { problem: { kind: 'pathNotFound', setting: '/nowhere/hullguard' }, notes: [] });
  });

  test('hullguard.interpreter runs `python -m hullguard.server` without probing it', async () => {
    const machine = host({ '/opt/py/bin/python': 'program' });
    const found = await discover({ interpreter: '/opt/py/bin/python', pythonExtension: '/usr/bin/python3', bundledLibs: LIBS }, machine);
    assert.deepEqual(found, { server: { command: '/opt/py/bin/python', args: ['-m', 'hullguard.server'], env: {}, source: 'interpreter' }, notes: [] });
    assert.deepEqual(machine.probed, []);
  });

  test('a hullguard.interpreter that is not there is a problem', async () => {
    const found = await discover({ interpreter: '/opt/py/bin/python', bundledLibs: LIBS }, host({}));
    assert.deepEqual(found, { problem: { kind: 'interpreterNotFound', setting: '/opt/py/bin/python' }, notes: [] });
  });

  test("the Python extension's interpreter is used when it has hullguard", async () => {
    const machine = host({ '/work/app/.venv/bin/python': PY312_HG, '/usr/bin/python3': PY312 });
    const found = await discover({ pythonExtension: '/work/app/.venv/bin/python', bundledLibs: LIBS }, machine);
    assert.deepEqual(found, {
      server: { command: '/work/app/.venv/bin/python', args: ['-m', 'hullguard.server'], env: {}, source: 'pythonExtension' },
      notes: [],
    });
  });

  test("without hullguard in the Python extension's interpreter, the bundled hullguard runs with python3 from PATH", async () => {
    const machine = host({ '/work/app/.venv/bin/python': PY312, '/usr/bin/python3': PY312 }, { env: { PATH: '/usr/local/bin:/usr/bin', PYTHONPATH: '/mine' } });
    const found = await discover({ pythonExtension: '/work/app/.venv/bin/python', bundledLibs: LIBS }, machine);
    assert.deepEqual(found, {
      server: { command: '/usr/bin/python3', args: ['-m', 'hullguard.server'], env: { PYTHONPATH: `${LIBS}:/mine` }, source: 'bundled' },
      notes: ['the Python selected in the Python extension (/work/app/.venv/bin/python) has no hullguard: using the bundled hullguard'],
    });
  });

  test("a Python extension interpreter older than 3.10 is passed over, even with hullguard", async () => {
    const machine = host({ '/old/python': { version: [3, 9], hullguard: true }, '/usr/bin/python3': PY312 });
    const found = await discover({ pythonExtension: '/old/python', bundledLibs: LIBS }, machine);
    assert.ok('server' in found);
    assert.equal(found.server.source, 'bundled');
    assert.equal(found.server.command, '/usr/bin/python3');
    assert.match(found.notes[0], /\(\/old\/python\) is Python 3\.9/);
  });

  test('the bundled hullguard needs Python 3.10+: an older python3 is skipped for python', async () => {
    const machine = host({ '/usr/bin/python3': { version: [3, 8], hullguard: false }, '/usr/local/bin/python': { version: [3, 13], hullguard: false } });
    const found = await discover({ bundledLibs: LIBS }, machine);
    assert.ok('server' in found);
    assert.deepEqual(found.server, { command: '/usr/local/bin/python', args: ['-m', 'hullguard.server'], env: { PYTHONPATH: LIBS }, source: 'bundled' });
  });

  test('the Python extension interpreter without hullguard still runs the bundled one when it is the only Python 3.10+', async () => {
    const machine = host({ '/work/app/.venv/bin/python': PY312 });
    const found = await discover({ pythonExtension: '/work/app/.venv/bin/python', bundledLibs: LIBS }, machine);
    assert.ok('server' in found);
    assert.equal(found.server.command, '/work/app/.venv/bin/python');
    assert.equal(found.server.source, 'bundled');
  });

  test('no Python 3.10+ anywhere: a problem that lists what was tried', async () => {
    const machine = host({ '/usr/bin/python3': { version: [3, 8], hullguard: false }, '/usr/bin/python': 'program' });
    const found = await discover({ bundledLibs: LIBS }, machine);
    assert.deepEqual(found, { problem: { kind: 'noPython', tried: ['/usr/bin/python3: Python 3.8', '/usr/bin/python: does not run'] }, notes: [] });
  });

  test('a build without bundled/libs says so', async () => {
    const machine = host({ '/usr/bin/python3': PY312 }, { isDirectory: async () => false });
    const found = await discover({ bundledLibs: LIBS }, machine);
    assert.deepEqual(found, { problem: { kind: 'noBundle', libs: LIBS }, notes: [] });
  });

  test('Windows: PATHEXT, drive letters and ; in PYTHONPATH', async () => {
    const machine = host(
      { 'C:\\Python312\\python.EXE': PY312, 'D:\\tools\\hullguard.EXE': 'program', 'D:\\app\\bin\\hullguard.CMD': 'program' },
      { platform: 'win32', env: { Path: 'C:\\Windows;C:\\Python312', PATHEXT: '.COM;.EXE;.CMD', PYTHONPATH: 'C:\\mine' }, workspaceFolder: 'D:\\app' },
    );
    const bundled = await discover({ bundledLibs: 'C:\\ext\\bundled\\libs' }, { ...machine, isDirectory: async () => true });
    assert.ok('server' in bundled);
    assert.deepEqual(bundled.server, {
      command: 'C:\\Python312\\python.EXE',
      args: ['-m', 'hullguard.server'],
      env: { PYTHONPATH: 'C:\\ext\\bundled\\libs;C:\\mine' },
      source: 'bundled',
    });
    assert.equal(await findExecutable('D:\\tools\\hullguard', machine), 'D:\\tools\\hullguard.EXE');
    assert.equal(await findExecutable('bin\\hullguard', machine), 'D:\\app\\bin\\hullguard.CMD');
    assert.equal(await findExecutable('bin\\hullguard.exe', machine), undefined);
  });

  test('${env:NAME} and an unknown ${workspaceFolder} are left visible', () => {
    const machine = host({}, { env: { TOOLS: '/opt/tools' }, workspaceFolder: undefined });
    assert.equal(expandSetting('${env:TOOLS}/hullguard', machine), '/opt/tools/hullguard');
    assert.equal(expandSetting('${workspaceFolder}/hullguard', machine), '${workspaceFolder}/hullguard');
  });
});

describe('probe output', () => {
  test('the last line is the JSON the probe prints', () => {
    assert.deepEqual(parseProbe('some warning\n{"version": [3, 11], "hullguard": true}\n'), { version: [3, 11], hullguard: true });
  });

  test('anything else is no answer', () => {
    assert.equal(parseProbe(''), undefined);
    assert.equal(parseProbe('Python 3.11.2'), undefined);
    assert.equal(parseProbe('{"version": [3], "hullguard": true}'), undefined);
    assert.equal(parseProbe('{"version": [3, 11], "hullguard": "yes"}'), undefined);
  });
});
