// The extension: finds and starts `hullguard server`, passes the settings on, and adds the
// "hullguard: Restart server" and "hullguard: Fix all" commands.
import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';

import * as vscode from 'vscode';
import {
  CloseAction,
  CloseHandlerResult,
  ErrorAction,
  ErrorHandlerResult,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
} from 'vscode-languageclient/node';

import { Discovery, ServerCommand, discover } from './discovery';
import { nodeHost } from './host';
import { ExitInfo, commandLine, crashMessage, problemMessage, sourceLabel, startFailureMessage } from './messages';
import { DOCUMENT_SELECTOR } from './selector';
import { PYTHON_EXTENSION_ID, PythonExtensionApi, onInterpreterChange, selectedInterpreter } from './python';
import { FIX_ALL_KIND, RESTART_SETTINGS, SECTION, SERVER_SETTINGS, filterConfiguration, initializationOptions } from './settings';

const STDERR_KEPT = 16_384; // characters of the server's standard error kept for the notification
const CRASH_WINDOW_MS = 3 * 60_000;
const MAX_RESTARTS = 4; // the fifth crash in CRASH_WINDOW_MS stops the server

/** A LanguageClient whose own failure pop-ups go to the output only: the extension shows one
 * notification that says what to fix instead. */
class HullguardClient extends LanguageClient {
  override error(message: string, data?: unknown, _showNotification?: boolean | 'force'): void {
    super.error(message, data, false);
  }
}

class Server {
  private client: HullguardClient | undefined;
  private current: ServerCommand | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.LogOutputChannel,
  ) {}

  get running(): boolean {
    return this.client?.isRunning() ?? false;
  }

  /** Start and restart one at a time, in order. */
  private serial(work: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(work, work);
    return this.queue;
  }

  restart(): Promise<void> {
    // Retire the running client at once: from now on its middleware sends nothing.
    const retired = this.client;
    this.client = undefined;
    this.current = undefined;
    return this.serial(async () => {
      await dispose(retired, this.output);
      await this.stopClient();
      await this.startClient();
    });
  }

  stop(): Promise<void> {
    return this.serial(() => this.stopClient());
  }

  private async stopClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.current = undefined;
    await dispose(client, this.output);
  }

  private async discover(): Promise<Discovery> {
    const settings = vscode.workspace.getConfiguration(SECTION);
    const folder = vscode.workspace.workspaceFolders?.[0];
    return discover(
      {
        path: settings.get<string>('path'),
        interpreter: settings.get<string>('interpreter'),
        pythonExtension: await selectedInterpreter(await pythonApi(this.output), folder?.uri),
        bundledLibs: this.context.asAbsolutePath(path.join('bundled', 'libs')),
      },
      nodeHost(folder?.uri.fsPath),
    );
  }

  private async startClient(): Promise<void> {
    const found = await this.discover();
    found.notes.forEach((note) => this.output.info(note));
    if ('problem' in found) {
      this.notify(problemMessage(found.problem));
      return;
    }
    const server = found.server;
    this.output.info(`starting ${commandLine(server)} (${sourceLabel(server.source)})`);
    let started = false;
    let exit: ExitInfo = { code: null, signal: null, stderr: '' };
    let exited: Promise<void> = Promise.resolve();
    const crashes: number[] = [];
    const spawnServer = async (): Promise<ChildProcess> => {
      const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? this.context.extensionPath;
      const child = spawn(server.command, server.args, { cwd, env: { ...process.env, ...server.env }, windowsHide: true });
      exit = { code: null, signal: null, stderr: '' };
      const current = exit;
      child.stderr?.on('data', (data: Buffer) => {
        current.stderr = (current.stderr + data.toString()).slice(-STDERR_KEPT);
      });
      exited = new Promise((resolve) =>
        child.once('exit', (code, signal) => {
          current.code = code;
          current.signal = signal;
          resolve();
        }),
      );
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
      return child;
    };
    let client: HullguardClient; // the middleware below refers to it
    const options: LanguageClientOptions = {
      documentSelector: DOCUMENT_SELECTOR,
      outputChannel: this.output,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationOptions: initializationOptions(currentSettings()),
      initializationFailedHandler: () => false,
      errorHandler: {
        error: (_error, _message, count): ErrorHandlerResult => ({
          action: (count ?? 0) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown,
          handled: true,
        }),
        closed: async (): Promise<CloseHandlerResult> => {
          if (!started) {
            return { action: CloseAction.DoNotRestart, handled: true }; // start() fails: reported there
          }
          const now = Date.now();
          crashes.push(now);
          while (crashes.length > 0 && now - crashes[0] > CRASH_WINDOW_MS) crashes.shift();
          if (crashes.length <= MAX_RESTARTS) {
            this.output.warn(`the server stopped (${commandLine(server)}): restarting it`);
            return { action: CloseAction.Restart, handled: true };
          }
          await timeout(exited, 1000);
          this.notify(crashMessage(server, exit, crashes.length, CRASH_WINDOW_MS / 60_000));
          return { action: CloseAction.DoNotRestart, handled: true };
        },
      },
      middleware: {
        workspace: {
          // Only the server's settings, so it has nothing to warn about (see settings.ts).
          configuration: async (params, token, next) => {
            const values = await next(params, token);
            return Array.isArray(values) ? filterConfiguration(params.items, values) : values;
          },
          // Tell the server that the settings changed; it asks for them (workspace/configuration).
          // Not while it stops (a change of hullguard.path restarts it).
          didChangeConfiguration: async (_sections, next) => {
            if (this.client === client && client.isRunning()) await next(undefined);
          },
        },
      },
    };
    client = new HullguardClient(SECTION, 'hullguard', spawnServer, options);
    this.client = client;
    this.current = server;
    let failure: unknown;
    try {
      await client.start();
    } catch (error) {
      failure = error;
    }
    // start() can also resolve for a server that closed the connection before it answered
    // initialize (vscode-languageclient 9 forgets the failed start then): check the state.
    if (failure === undefined && client.isRunning()) {
      started = true;
      const info = client.initializeResult?.serverInfo;
      this.output.info(`started ${info ? `${info.name} ${info.version ?? ''}`.trim() : 'the server'}`);
      return;
    }
    if (this.client !== client) {
      return; // retired while it started: the restart reports on the new one
    }
    await timeout(exited, 2000);
    const reason = failure === undefined ? 'the connection closed' : String(failure);
    this.output.error(`the server did not start: ${reason}\n${exit.stderr}`);
    const noTrace = exit.code === null && exit.signal === null && exit.stderr === '';
    this.notify(startFailureMessage(server, noTrace ? { ...exit, stderr: reason } : exit));
    this.client = undefined;
    await dispose(client, this.output);
  }

  usesSettings(): boolean {
    return this.current?.source === 'path' || this.current?.source === 'interpreter';
  }

  private notify(message: string): void {
    this.output.error(message);
    void vscode.window.showErrorMessage(message, 'Open Settings', 'Show Output').then((choice) => {
      if (choice === 'Open Settings') {
        void vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.`);
      } else if (choice === 'Show Output') {
        this.output.show();
      }
    });
  }
}

async function dispose(client: LanguageClient | undefined, output: vscode.LogOutputChannel): Promise<void> {
  try {
    await client?.dispose(2000);
  } catch (error) {
    output.warn(`stopping the server: ${String(error)}`);
  }
}

function currentSettings(): Record<string, unknown> {
  const settings = vscode.workspace.getConfiguration(SECTION);
  return Object.fromEntries(SERVER_SETTINGS.map((key) => [key, settings.get(key)]));
}

function timeout(promise: Promise<void>, ms: number): Promise<void> {
  return Promise.race([promise, new Promise<void>((resolve) => setTimeout(resolve, ms))]);
}

async function pythonApi(output: vscode.LogOutputChannel): Promise<PythonExtensionApi | undefined> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION_ID);
  if (extension === undefined) {
    return undefined;
  }
  try {
    return extension.isActive ? extension.exports : await extension.activate();
  } catch (error) {
    output.warn(`the Python extension did not activate: ${String(error)}`);
    return undefined;
  }
}

async function fixAll(server: Server): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined) {
    void vscode.window.showInformationMessage('hullguard: open a Dockerfile, compose file or Kubernetes manifest to fix it.');
    return;
  }
  if (!server.running) {
    void vscode.window.showWarningMessage('hullguard: the server is not running: run "hullguard: Restart server".');
    return;
  }
  const document = editor.document;
  const whole = new vscode.Range(0, 0, document.lineCount, 0);
  const kind = vscode.CodeActionKind.Empty.append(FIX_ALL_KIND);
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[] | undefined>('vscode.executeCodeActionProvider', document.uri, whole, kind.value, 10);
  const action = actions?.find((candidate) => candidate.kind !== undefined && kind.contains(candidate.kind));
  if (action === undefined) {
    const unsafe = vscode.workspace.getConfiguration(SECTION, document.uri).get<boolean>('unsafeFixes');
    const hint = unsafe ? '' : ' (unsafe fixes are off: see hullguard.unsafeFixes)';
    void vscode.window.showInformationMessage(`hullguard: nothing to fix automatically in ${path.basename(document.fileName)}${hint}.`);
    return;
  }
  if (action.edit !== undefined) {
    await vscode.workspace.applyEdit(action.edit);
  }
  if (action.command !== undefined) {
    await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
  }
}

let server: Server | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('hullguard', { log: true });
  const started = new Server(context, output);
  server = started;
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('hullguard.restart', () => started.restart()),
    vscode.commands.registerCommand('hullguard.fixAll', () => fixAll(started)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (RESTART_SETTINGS.some((name) => event.affectsConfiguration(`${SECTION}.${name}`))) {
        output.info('hullguard.path or hullguard.interpreter changed: restarting the server');
        void started.restart();
      }
    }),
  );
  const api = await pythonApi(output);
  const subscription = onInterpreterChange(api, () => {
    if (!started.usesSettings()) {
      output.info('the Python extension selected another interpreter: restarting the server');
      void started.restart();
    }
  });
  if (subscription !== undefined) {
    context.subscriptions.push(subscription);
  }
  void started.restart();
}

export async function deactivate(): Promise<void> {
  await server?.stop();
}
