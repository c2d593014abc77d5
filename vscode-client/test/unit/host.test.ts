// The real host: PROBE_SCRIPT run by a real Python (python3 on PATH; skipped without one).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';

import { findExecutable, supportedPython } from '../../src/discovery';
import { isDirectory, isExecutable, nodeHost, probe } from '../../src/host';

const folder = mkdtempSync(path.join(os.tmpdir(), 'hullguard-host-'));
after(() => rmSync(folder, { recursive: true, force: true }));

function fakePackage(name: string, withServer: boolean): string {
  const root = path.join(folder, name);
  mkdirSync(path.join(root, 'hullguard', 'server'), { recursive: true });
  writeFileSync(path.join(root, 'hullguard', '__init__.py'), '');
  if (withServer) {
    writeFileSync(path.join(root, 'hullguard', 'server', '__init__.py'), '');
  } else {
    rmSync(path.join(root, 'hullguard', 'server'), { recursive: true });
  }
  return root;
}

describe('the real host', async () => {
  const python = await findExecutable('python3', nodeHost(undefined));

  test('probes a Python: its version, and whether hullguard.server imports', { skip: python === undefined && 'no python3 on PATH' }, async () => {
    const withServer = await probe(python!, { ...process.env, PYTHONPATH: fakePackage('with', true) });
    assert.ok(withServer !== undefined);
    assert.equal(withServer.hullguard, true);
    assert.ok(withServer.version[0] === 3 && withServer.version[1] >= 6);
    // A hullguard without the server (an old release) shadows any installed one here.
    const without = await probe(python!, { ...process.env, PYTHONPATH: fakePackage('without', false) });
    assert.equal(without?.hullguard, false);
    assert.equal(supportedPython(withServer.version), withServer.version[1] >= 10);
  });

  test('a program that is not a Python gives no answer', { skip: process.platform === 'win32' && 'POSIX only' }, async () => {
    assert.equal(await probe('/bin/false'), undefined);
    assert.equal(await probe(path.join(folder, 'missing')), undefined);
  });

  test('executables and folders', { skip: process.platform === 'win32' && 'POSIX modes' }, async () => {
    const script = path.join(folder, 'tool');
    writeFileSync(script, '#!/bin/sh\n', { mode: 0o755 });
    const plain = path.join(folder, 'plain');
    writeFileSync(plain, '', { mode: 0o644 });
    assert.equal(await isExecutable(script), true);
    assert.equal(await isExecutable(plain), false);
    assert.equal(await isExecutable(folder), false);
    assert.equal(await isDirectory(folder), true);
    assert.equal(await isDirectory(script), false);
  });
});
