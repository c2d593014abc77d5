import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';

import { LANGUAGES } from '../../src/selector';
import { CLIENT_SETTINGS, FIX_ALL_KIND, SERVER_SETTINGS, filterConfiguration, initializationOptions, serverSettings } from '../../src/settings';

const ROOT = path.resolve(__dirname, '..', '..', '..'); // out/test/unit -> vscode-client
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

describe('settings -> the server', () => {
  const section = {
    path: '/opt/hullguard',
    interpreter: '',
    select: ['HG1', 'run-as-root'],
    ignore: ['HG202'],
    unsafeFixes: true,
    pssLevel: 'baseline',
    run: 'onSave',
    trace: { server: 'verbose' },
  };

  test('initializationOptions carry the server settings under "hullguard", not the client ones', () => {
    assert.deepEqual(initializationOptions(section), {
      hullguard: { select: ['HG1', 'run-as-root'], ignore: ['HG202'], unsafeFixes: true, pssLevel: 'baseline', run: 'onSave' },
    });
  });

  test('unset (null) settings are left out so the project config decides', () => {
    assert.deepEqual(serverSettings({ select: null, ignore: [], unsafeFixes: false, pssLevel: null, run: 'onType' }), {
      ignore: [],
      unsafeFixes: false,
      run: 'onType',
    });
    assert.deepEqual(serverSettings(undefined), {});
    assert.deepEqual(serverSettings('select'), {});
  });

  test('workspace/configuration answers: hullguard sections filtered, other sections as they are', () => {
    const items = [{ section: 'hullguard', scopeUri: 'file:///a' }, { section: 'editor' }, { section: 'hullguard' }];
    const values = [section, { tabSize: 4 }, null];
    assert.deepEqual(filterConfiguration(items, values), [
      { select: ['HG1', 'run-as-root'], ignore: ['HG202'], unsafeFixes: true, pssLevel: 'baseline', run: 'onSave' },
      { tabSize: 4 },
      {},
    ]);
  });
});

describe('package.json', () => {
  test('every contributed setting is one the client or the server reads, and each of those is contributed', () => {
    const contributed = Object.keys(manifest.contributes.configuration.properties).sort();
    const known = [...SERVER_SETTINGS, ...CLIENT_SETTINGS].map((key) => `hullguard.${key}`).sort();
    assert.deepEqual(contributed, known);
  });

  test('the settings defaults leave the project config in charge', () => {
    const properties = manifest.contributes.configuration.properties;
    const defaults = Object.fromEntries(SERVER_SETTINGS.map((key) => [key, properties[`hullguard.${key}`].default]));
    assert.deepEqual(serverSettings(defaults), { ignore: [], unsafeFixes: false, run: 'onType' });
  });

  test('activation covers every language the client sends to the server, and fix-all on save is declared', () => {
    for (const language of LANGUAGES) {
      assert.ok(manifest.activationEvents.includes(`onLanguage:${language}`), language);
    }
    assert.deepEqual(manifest.contributes.codeActions, [
      { languages: [...LANGUAGES], actions: { kind: FIX_ALL_KIND, title: manifest.contributes.codeActions[0].actions.title, description: manifest.contributes.codeActions[0].actions.description } },
    ]);
    assert.deepEqual(
      manifest.contributes.commands.map((command: { command: string; category: string; title: string }) => `${command.category}: ${command.title}`),
      ['hullguard: Restart server', 'hullguard: Fix all'],
    );
  });

  test("the extension's version is hullguard's (pyproject.toml)", () => {
    const pyproject = readFileSync(path.join(ROOT, '..', 'pyproject.toml'), 'utf8');
    const version = /^version\s*=\s*"([^"]+)"/m.exec(pyproject)?.[1];
    assert.equal(manifest.version, version);
  });

  test('engines.vscode matches the @types/vscode it is built against', () => {
    assert.equal(manifest.engines.vscode, `^${manifest.devDependencies['@types/vscode']}`);
  });
});
