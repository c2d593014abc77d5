// End-to-end: the packaged .vsix in a real VS Code (code-server 4.100.3 = VS Code 1.100.3,
// served to Debian's Chromium and driven by playwright-core). Installs the extension, opens a
// workspace with a Dockerfile that runs as root, a Deployment without capabilities.drop and a
// Containerfile with an ADD, and checks what a user sees and what lands on disk.
//
// Needs: scripts/setup-e2e.sh (code-server in .e2e/, Chromium) and `npm run package`.
// Environment: HULLGUARD_E2E_ARTIFACTS (screenshots and logs; default .e2e/artifacts),
// HULLGUARD_CODE_SERVER, HULLGUARD_CHROMIUM, HULLGUARD_E2E_PYTHON (runs the bundled hullguard's
// CLI to compute the expected files; default python3).
import assert from 'node:assert/strict';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { Browser, Locator, Page, chromium } from 'playwright-core';

const CLIENT = path.resolve(__dirname, '..', '..', '..'); // out/test/e2e -> vscode-client
const VERSION: string = JSON.parse(readFileSync(path.join(CLIENT, 'package.json'), 'utf8')).version;
const VSIX = path.join(CLIENT, `hullguard-${VERSION}.vsix`);
const CODE_SERVER = process.env.HULLGUARD_CODE_SERVER ?? path.join(CLIENT, '.e2e', 'code-server', 'node_modules', '.bin', 'code-server');
const CHROMIUM = process.env.HULLGUARD_CHROMIUM ?? '/usr/bin/chromium';
const PYTHON = process.env.HULLGUARD_E2E_PYTHON ?? 'python3';
const ARTIFACTS = path.resolve(process.env.HULLGUARD_E2E_ARTIFACTS ?? path.join(CLIENT, '.e2e', 'artifacts'));
const WAIT = 60_000; // for anything the server computes (the first lint starts Python)

const DOCKERFILE = 'FROM python:3.12-slim\nCOPY app.py /app/app.py\nUSER root\n';
const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: app
          image: nginx:1.27
`;
const CONTAINERFILE = 'FROM alpine:3.20\nADD config.json /app/\nUSER nobody\n';
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'git.enabled': false,
  'editor.minimap.enabled': false,
  'files.autoSave': 'off',
};
const WORKSPACE_SETTINGS = { 'editor.codeActionsOnSave': { 'source.fixAll.hullguard': 'explicit' } };

/** What the bundled hullguard's `check --fix` makes of a file: the text a fix must leave on disk. */
function cliFix(name: string, text: string, options: string[]): string {
  const result = spawnSync(
    PYTHON,
    ['-c', 'import sys; from hullguard.cli import main; sys.exit(main())', 'check', '--fix', ...options, '--stdin-filename', name, '-'],
    { input: text, encoding: 'utf8', env: { ...process.env, PYTHONPATH: path.join(CLIENT, 'bundled', 'libs') } },
  );
  assert.ok(result.status === 0 || result.status === 1, `hullguard check --fix failed: ${result.stderr}`);
  return result.stdout;
}

function missing(): string[] {
  const problems: string[] = [];
  if (!existsSync(CODE_SERVER)) problems.push(`no code-server at ${CODE_SERVER} (run scripts/setup-e2e.sh)`);
  if (!existsSync(CHROMIUM)) problems.push(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  if (!existsSync(VSIX)) problems.push(`no ${path.basename(VSIX)} (run npm run package)`);
  return problems;
}

class Session {
  readonly root = mkdtempSync(path.join(os.tmpdir(), 'hullguard-e2e-'));
  readonly workspace = path.join(this.root, 'workspace');
  readonly userData = path.join(this.root, 'user-data');
  readonly extensions = path.join(this.root, 'extensions');
  readonly config = path.join(this.root, 'code-server.yaml');
  private server: ChildProcess | undefined;
  private browser: Browser | undefined;
  page!: Page;
  log = '';

  async start(): Promise<void> {
    mkdirSync(path.join(this.workspace, '.vscode'), { recursive: true });
    mkdirSync(path.join(this.userData, 'User'), { recursive: true });
    writeFileSync(path.join(this.workspace, 'Dockerfile'), DOCKERFILE);
    writeFileSync(path.join(this.workspace, 'app.py'), 'print("hello")\n');
    writeFileSync(path.join(this.workspace, 'deployment.yaml'), DEPLOYMENT);
    writeFileSync(path.join(this.workspace, 'Containerfile'), CONTAINERFILE);
    writeFileSync(path.join(this.workspace, 'config.json'), '{}\n');
    writeFileSync(path.join(this.workspace, '.vscode', 'settings.json'), JSON.stringify(WORKSPACE_SETTINGS, null, 2));
    writeFileSync(path.join(this.userData, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
    writeFileSync(this.config, ''); // code-server would otherwise write ~/.config/code-server/config.yaml
    const common = ['--config', this.config, '--user-data-dir', this.userData, '--extensions-dir', this.extensions];
    const install = spawnSync(CODE_SERVER, [...common, '--install-extension', VSIX], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(install.status, 0, `installing ${VSIX} failed:\n${install.stdout}${install.stderr}`);
    assert.match(install.stdout, /was successfully installed/);

    const server = spawn(
      CODE_SERVER,
      [...common, '--bind-addr', '127.0.0.1:0', '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', this.workspace],
      { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.server = server;
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`code-server did not start:\n${this.log}`)), 60_000);
      const read = (data: Buffer) => {
        this.log += data.toString();
        const found = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(this.log);
        if (found) {
          clearTimeout(timer);
          resolve(found[1]);
        }
      };
      server.stdout!.on('data', read);
      server.stderr!.on('data', read);
      server.once('exit', (code) => reject(new Error(`code-server exited (${code}):\n${this.log}`)));
    });

    this.browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    this.page = await this.browser.newPage({ viewport: { width: 1400, height: 900 } });
    await this.page.goto(url);
    await this.page.waitForSelector('.monaco-workbench', { timeout: WAIT });
    await this.page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: WAIT });
  }

  file(name: string): string {
    return readFileSync(path.join(this.workspace, name), 'utf8');
  }

  /** Opens a file by clicking it in the Explorer (what a user does; see the note on quick-open). */
  async open(name: string): Promise<void> {
    await this.page.locator('.explorer-folders-view .monaco-list-row', { hasText: new RegExp(`^${name.replace('.', '\\.')}$`) }).click();
    await this.page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ timeout: WAIT });
  }

  get editor(): Locator {
    return this.page.locator('.editor-group-container.active .monaco-editor').first();
  }

  /** The Problems panel's rows for a file, once they show these codes (and not those); a row
   * reads "message hullguard(CODE) [Ln l, Col c]" (its text has no parentheses). */
  async problems(name: string, codes: string[], absent: string[] = []): Promise<string[]> {
    const rows = this.page.locator('.markers-panel .monaco-list-row');
    if (!(await this.page.locator('.markers-panel').isVisible())) {
      await this.page.keyboard.press('Control+Shift+M');
    }
    const shows = (own: string[], code: string) => own.some((row) => row.includes(`hullguard${code}`));
    let texts: string[] = [];
    const deadline = Date.now() + WAIT;
    while (Date.now() < deadline) {
      texts = await rows.evaluateAll((elements) => elements.map((element) => element.textContent ?? ''));
      const own: string[] = [];
      for (let index = texts.findIndex((text) => text.startsWith(name)) + 1; index > 0 && index < texts.length && texts[index].includes('hullguard'); index++) {
        own.push(texts[index]);
      }
      if (codes.every((code) => shows(own, code)) && !absent.some((code) => shows(own, code))) {
        return own;
      }
      await this.page.waitForTimeout(500);
    }
    assert.fail(`the Problems panel never showed ${codes.join(', ')}${absent.length ? ` without ${absent.join(', ')}` : ''} for ${name}; it showed:\n${texts.join('\n')}`);
  }

  async command(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    await this.page.locator('.quick-input-widget input').waitFor({ timeout: WAIT });
    await this.page.keyboard.type(title);
    await this.page.locator('.quick-input-widget .monaco-list-row.focused', { hasText: title }).waitFor({ timeout: WAIT });
    await this.page.keyboard.press('Enter');
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  }

  async goTo(line: number, column: number): Promise<void> {
    await this.editor.locator('.view-lines').click();
    await this.page.keyboard.press('Control+G');
    await this.page.locator('.quick-input-widget input').waitFor({ timeout: WAIT });
    await this.page.keyboard.type(`${line}:${column}`);
    await this.page.keyboard.press('Enter');
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  }

  /** Control+. at the cursor, then the quick fix whose title starts with `title`, chosen with
   * the arrow keys and Enter (the menu blocks pointer events while it settles). */
  async quickFix(title: string, screenshot?: string): Promise<void> {
    await this.page.keyboard.press('Control+.');
    const actions = this.page.locator('.action-widget .monaco-list-row.action');
    await actions.filter({ hasText: title }).first().waitFor({ timeout: WAIT });
    if (screenshot) await this.screenshot(screenshot);
    const titles = await actions.evaluateAll((rows) => rows.map((row) => row.getAttribute('aria-label') ?? ''));
    for (let step = 0; step < titles.length; step++) {
      const focused = (await this.page.locator('.action-widget .monaco-list-row.action.focused').getAttribute('aria-label')) ?? '';
      if (focused.startsWith(title)) {
        await this.page.keyboard.press('Enter');
        await this.page.locator('.action-widget').waitFor({ state: 'hidden' });
        return;
      }
      await this.page.keyboard.press('ArrowDown');
    }
    assert.fail(`no quick fix "${title}…" could be chosen among: ${titles.join(' | ')}`);
  }

  async save(name: string, expected: string): Promise<void> {
    await this.page.keyboard.press('Control+S');
    const deadline = Date.now() + WAIT;
    while (Date.now() < deadline && this.file(name) !== expected) {
      await this.page.waitForTimeout(250);
    }
    assert.equal(this.file(name), expected);
    await this.page.locator('.tabs-container .tab.active.dirty').waitFor({ state: 'detached', timeout: WAIT });
  }

  async screenshot(name: string): Promise<void> {
    mkdirSync(ARTIFACTS, { recursive: true });
    await this.page.screenshot({ path: path.join(ARTIFACTS, name) });
  }

  async close(failed: boolean): Promise<void> {
    if (failed && this.page) await this.screenshot('failure.png').catch(() => undefined);
    await this.browser?.close().catch(() => undefined);
    if (this.server?.pid !== undefined && this.server.exitCode === null) {
      const exited = new Promise((resolve) => this.server!.once('exit', resolve));
      process.kill(-this.server.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (this.server.exitCode === null) process.kill(-this.server.pid, 'SIGKILL');
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(path.join(ARTIFACTS, 'code-server.log'), this.log);
    const logs = path.join(this.userData, 'logs');
    if (existsSync(logs)) cpSync(logs, path.join(ARTIFACTS, 'vscode-logs'), { recursive: true });
    rmSync(this.root, { recursive: true, force: true });
  }
}

describe('hullguard in VS Code (code-server)', { timeout: 600_000 }, () => {
  const session = new Session();
  let failed = false;
  const step = (name: string, body: () => Promise<void>) =>
    test(name, async () => {
      assert.ok(!failed, 'an earlier step failed');
      try {
        await body();
      } catch (error) {
        failed = true;
        throw error;
      }
    });

  before(async () => {
    const problems = missing();
    assert.deepEqual(problems, [], `the end-to-end test cannot run: ${problems.join('; ')}`);
    rmSync(ARTIFACTS, { recursive: true, force: true });
    try {
      await session.start();
    } catch (error) {
      failed = true;
      throw error;
    }
  });

  after(() => session.close(failed));

  step('the Dockerfile: HG101 in the Problems panel, the USER quick fix from the Quick Fix menu, saved to disk', async () => {
    await session.open('Dockerfile');
    const rows = await session.problems('Dockerfile', ['HG101']);
    assert.ok(rows.some((row) => row.includes('final stage runs as root (USER root)') && row.includes('[Ln 3, Col 6]')), rows.join('\n'));
    await session.editor.locator('.squiggly-error').first().waitFor({ timeout: WAIT });
    await session.screenshot('dockerfile-diagnostics.png');
    await session.goTo(3, 6);
    await session.quickFix("Run as non-root user 'app'");
    const expected = cliFix('Dockerfile', DOCKERFILE, ['--unsafe-fixes', '--select', 'HG101']);
    assert.match(expected, /\nUSER app\n$/);
    await session.save('Dockerfile', expected);
  });

  step('the Deployment: HG101 and HG104 in the Problems panel, the drop: [ALL] quick fix, saved to disk', async () => {
    await session.open('deployment.yaml');
    const rows = await session.problems('deployment.yaml', ['HG101', 'HG104']);
    assert.ok(rows.some((row) => row.includes("container 'app' does not drop all capabilities") && row.includes('[Ln 16, Col 17]')), rows.join('\n'));
    await session.editor.locator('.squiggly-error, .squiggly-warning').first().waitFor({ timeout: WAIT });
    await session.screenshot('deployment-diagnostics.png');
    await session.goTo(16, 17);
    await session.quickFix('Drop ALL capabilities', 'deployment-quick-fix-menu.png');
    const expected = cliFix('deployment.yaml', DEPLOYMENT, ['--unsafe-fixes', '--select', 'HG104']);
    assert.match(expected, /capabilities:\n\s+drop: \[ALL\]\n$/);
    await session.save('deployment.yaml', expected);
    // The fixed finding is gone from the Problems panel, the others stay.
    await session.problems('deployment.yaml', ['HG101'], ['HG104']);
  });

  step('editor.codeActionsOnSave with source.fixAll.hullguard applies the safe fixes on save', async () => {
    await session.open('Containerfile');
    await session.problems('Containerfile', ['HG204']);
    await session.editor.locator('.view-lines').click();
    await session.page.keyboard.press('Control+End');
    await session.page.keyboard.type('# saved');
    const edited = `${CONTAINERFILE}# saved`;
    const expected = cliFix('Containerfile', edited, []);
    assert.match(expected, /^COPY config\.json \/app\/$/m);
    await session.save('Containerfile', expected);
  });

  step('settings reach the server: hullguard.ignore drops HG202, hullguard.unsafeFixes lets "hullguard: Fix all" apply unsafe fixes', async () => {
    const settings = { ...WORKSPACE_SETTINGS, 'hullguard.ignore': ['HG202'], 'hullguard.unsafeFixes': true };
    writeFileSync(path.join(session.workspace, '.vscode', 'settings.json'), JSON.stringify(settings));
    await session.open('deployment.yaml');
    await session.problems('deployment.yaml', ['HG101'], ['HG202']);
    const before = session.file('deployment.yaml');
    await session.command('hullguard: Fix all');
    const expected = cliFix('deployment.yaml', before, ['--unsafe-fixes', '--ignore', 'HG202']);
    assert.match(expected, /runAsNonRoot: true/);
    await session.save('deployment.yaml', expected);
    await session.problems('deployment.yaml', [], ['HG101', 'HG103', 'HG104', 'HG202']);
    await session.screenshot('after-fixes.png');
  });

  step('a hullguard.interpreter that does not exist: one notification that says how to fix it', async () => {
    // A workspace setting (user settings edited on disk are not picked up by code-server).
    writeFileSync(path.join(session.workspace, '.vscode', 'settings.json'), JSON.stringify({ ...WORKSPACE_SETTINGS, 'hullguard.interpreter': '/nonexistent/python3' }));
    const toast = session.page.locator('.notifications-toasts .notification-toast', { hasText: 'hullguard.interpreter "/nonexistent/python3" is not an executable file' });
    await toast.waitFor({ timeout: WAIT });
    assert.match((await toast.textContent()) ?? '', /remove the setting to use the hullguard bundled with the extension/);
    await session.screenshot('missing-server-notification.png');
    assert.equal(await session.page.locator('.notifications-toasts .notification-toast', { hasText: 'hullguard' }).count(), 1);
  });

  step('a hullguard.interpreter without hullguard: the server stops as it starts, one notification with its error and the fix', async () => {
    const python = path.join(session.root, 'python-without-hullguard');
    writeFileSync(python, `#!/bin/sh\necho "Traceback (most recent call last):" >&2\necho "ModuleNotFoundError: No module named 'hullguard'" >&2\nexit 1\n`, { mode: 0o755 });
    writeFileSync(path.join(session.workspace, '.vscode', 'settings.json'), JSON.stringify({ ...WORKSPACE_SETTINGS, 'hullguard.interpreter': python }));
    const toasts = session.page.locator('.notifications-toasts .notification-toast');
    const toast = toasts.filter({ hasText: "stopped as it started (exit code 1: ModuleNotFoundError: No module named 'hullguard')" });
    await toast.waitFor({ timeout: WAIT });
    assert.match((await toast.textContent()) ?? '', /Install hullguard in that Python \(\S+ -m pip install hullguard\)/);
    await session.screenshot('broken-server-notification.png');
    // vscode-languageclient's own pop-ups ("couldn't create connection", "connection got closed") stay in the output.
    assert.equal(await toasts.filter({ hasText: /connection to server|couldn't create connection/i }).count(), 0);
    assert.equal(await toast.count(), 1);
  });
});
