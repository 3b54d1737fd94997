// Starts code-server (VS Code 1.139 server + workbench) on a free loopback port with a fresh
// profile per run under .test-cache/runs/<id>, the given .vsix files installed, and always stops
// it (whole process group) — from stop(), or on process exit / SIGINT / SIGTERM.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureProvisioned } from './provision';
import { runsDir } from './paths';
import { removeOnExit, runToCompletion, spawnGroup, tailOfFile, type GroupProcess } from './processes';
import { AbortWait, formatSeconds, pause, waitFor } from './wait';

export interface CodeServerOptions {
  /** .vsix files installed into the fresh extensions dir before the server starts. */
  vsixPaths?: string[];
  /** Folder the workbench opens by default (also passed as code-server's path argument). */
  workspaceFolder?: string;
  /** Copy `workspaceFolder` into the run dir first, so tests may change files freely. */
  copyWorkspace?: boolean;
  /** Merged over the harness defaults into <user-data-dir>/User/settings.json. */
  userSettings?: Record<string, unknown>;
  /** Extra environment for code-server; the extension host inherits it (e.g. NODE_EXTRA_CA_CERTS). */
  env?: Record<string, string>;
  /** Fixed port; default: a free loopback port. */
  port?: number;
  /** How long code-server may take to answer /healthz (default 60 s, or APIM_CODE_SERVER_START_TIMEOUT ms). */
  startTimeoutMs?: number;
}

export interface CodeServer {
  /** http://127.0.0.1:<port>/ — opens `workspaceFolder` when one was given. */
  url: string;
  port: number;
  runDir: string;
  userDataDir: string;
  extensionsDir: string;
  /** VS Code's own logs (server, extension host: <logsDir>/<session>/exthost*). */
  logsDir: string;
  /** code-server's stdout/stderr. */
  logFile: string;
  workspaceFolder?: string;
  pid: number;
  /** URL that opens `folder` (default: the workspace folder) in the workbench. */
  workbenchUrl(folder?: string): string;
  /**
   * Stops the whole process group (SIGTERM, then SIGKILL after 5 s) and removes the run dir
   * unless `keepRunDir` (or env APIM_KEEP_RUN_DIR=1). Idempotent.
   */
  stop(options?: { keepRunDir?: boolean }): Promise<void>;
}

/**
 * Settings that keep a fresh profile quiet and deterministic: no trust prompt, no welcome page,
 * no tips/surveys/recommendation toasts, no chat side bar, no update or telemetry traffic.
 */
export const DEFAULT_USER_SETTINGS: Readonly<Record<string, unknown>> = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.editor.enablePreview': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  // Run dirs live inside this repo's git checkout: keep git from scanning/prompting about it.
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'files.hotExit': 'off',
};

const DEFAULT_START_TIMEOUT_MS = 60_000;
const RUN_DIR_MAX_AGE_MS = 12 * 60 * 60_000;

/** A port the OS says is free on 127.0.0.1 right now. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port assigned'))));
    });
  });
}

function httpStatus(url: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.once('timeout', () => request.destroy(new Error('request timed out')));
    request.once('error', reject);
  });
}

/** Removes run dirs, and the harness's temp dirs, older than 12 h (left behind by failed or killed runs). */
function pruneOldRuns(): void {
  const stale = (dir: string) => {
    try {
      if (Date.now() - fs.statSync(dir).mtimeMs > RUN_DIR_MAX_AGE_MS) fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // Raced with another process pruning: fine.
    }
  };
  if (fs.existsSync(runsDir())) for (const name of fs.readdirSync(runsDir())) stale(path.join(runsDir(), name));
  for (const name of fs.readdirSync(os.tmpdir())) if (/^apim-(cs|chromium)-/.test(name)) stale(path.join(os.tmpdir(), name));
}

function newRunDir(): string {
  pruneOldRuns();
  const id = `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}-${Math.random().toString(36).slice(2, 6)}`;
  const dir = path.join(runsDir(), id);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** code-server's environment: ours plus `extra`, minus what would make it talk to another VS Code. */
function serverEnvironment(extra: Record<string, string>, runDir: string, tmpDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    // Set inside a VS Code terminal: code-server would hand the request to that VS Code instead.
    if (key.startsWith('VSCODE_') || key === 'ELECTRON_RUN_AS_NODE') delete env[key];
  }
  // mocha/ts-node hooks of the test process must not load into code-server and its extension host.
  delete env.NODE_OPTIONS;
  // code-server keeps state (e.g. the last opened folder) under XDG_DATA_HOME; keep it in the run dir.
  env.XDG_DATA_HOME = path.join(runDir, 'xdg-data');
  // VS Code leaves IPC sockets in the temp dir; a short per-run one (socket paths max out at 107
  // bytes, so not inside the run dir) is removed by stop().
  env.TMPDIR = tmpDir;
  return { ...env, ...extra };
}

function installArgs(userDataDir: string, extensionsDir: string, configFile: string): string[] {
  return ['--config', configFile, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
}

async function installExtensions(nodeBin: string, entry: string, vsixPaths: string[], dirs: { userDataDir: string; extensionsDir: string; configFile: string; runDir: string }, env: NodeJS.ProcessEnv): Promise<void> {
  if (vsixPaths.length === 0) return;
  for (const vsix of vsixPaths) if (!fs.existsSync(vsix)) throw new Error(`startCodeServer: vsix not found: ${vsix}`);
  const logFile = path.join(dirs.runDir, 'install-extensions.log');
  const args = [entry, ...installArgs(dirs.userDataDir, dirs.extensionsDir, dirs.configFile), '--force', ...vsixPaths.flatMap((vsix) => ['--install-extension', vsix])];
  const result = await runToCompletion(nodeBin, args, { env, logFile, timeoutMs: 120_000 });
  const log = fs.readFileSync(logFile, 'utf8');
  // The CLI can exit 0 after a failed install; it confirms each success with this line.
  const notInstalled = vsixPaths.filter((vsix) => !log.includes(`Extension '${path.basename(vsix)}' was successfully installed`));
  if (result.code !== 0 || notInstalled.length > 0) {
    throw new Error(`code-server --install-extension failed (exit ${result.code ?? result.signal}) for ${notInstalled.join(', ') || vsixPaths.join(', ')}; log ${logFile}:\n${tailOfFile(logFile, 40)}`);
  }
}

export async function startCodeServer(options: CodeServerOptions = {}): Promise<CodeServer> {
  const tools = await ensureProvisioned();
  const runDir = newRunDir();
  const userDataDir = path.join(runDir, 'user-data');
  const extensionsDir = path.join(runDir, 'extensions');
  const logsDir = path.join(userDataDir, 'logs');
  const logFile = path.join(runDir, 'code-server.log');
  const configFile = path.join(runDir, 'config.yaml');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  // Without --config, code-server writes ~/.config/code-server/config.yaml (with a password).
  fs.writeFileSync(configFile, 'auth: none\ncert: false\n');
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...DEFAULT_USER_SETTINGS, ...options.userSettings }, null, 2) + '\n');
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-cs-'));
  const forgetTmpDir = removeOnExit(tmpDir);
  try {
    const env = serverEnvironment(options.env ?? {}, runDir, tmpDir);
    let workspaceFolder = options.workspaceFolder ? path.resolve(options.workspaceFolder) : undefined;
    if (workspaceFolder && !fs.existsSync(workspaceFolder)) throw new Error(`startCodeServer: workspace folder ${workspaceFolder} does not exist`);
    if (workspaceFolder && options.copyWorkspace) {
      const copy = path.join(runDir, 'workspace');
      fs.cpSync(workspaceFolder, copy, { recursive: true });
      workspaceFolder = copy;
    }
    await installExtensions(tools.nodeBin, tools.codeServerEntry, options.vsixPaths ?? [], { userDataDir, extensionsDir, configFile, runDir }, env);

    const startTimeoutMs = options.startTimeoutMs ?? (Number(process.env.APIM_CODE_SERVER_START_TIMEOUT) || DEFAULT_START_TIMEOUT_MS);
    const baseArgs = [tools.codeServerEntry, ...installArgs(userDataDir, extensionsDir, configFile), ...SERVER_FLAGS];
    // A free port can be taken between our probe and code-server's bind: retry a few times.
    for (let attempt = 1; ; attempt++) {
      const port = options.port ?? (await freeLoopbackPort());
      const args = [...baseArgs, '--bind-addr', `127.0.0.1:${port}`, ...(workspaceFolder ? [workspaceFolder] : [])];
      const outcome = await launchOnce(tools.nodeBin, args, { env, logFile, port, startTimeoutMs });
      if (outcome === 'port-taken' && options.port === undefined && attempt < 3) continue;
      if (outcome === 'port-taken') throw new Error(`code-server could not bind 127.0.0.1:${port} (address in use); log: ${logFile}`);
      return makeHandle({ server: outcome, port, runDir, tmpDir, forgetTmpDir, userDataDir, extensionsDir, logsDir, logFile, workspaceFolder });
    }
  } catch (error) {
    // The run dir stays for diagnosis (pruned after 12 h); the temp dir has nothing worth keeping.
    fs.rmSync(tmpDir, { recursive: true, force: true });
    forgetTmpDir();
    throw error;
  }
}

const SERVER_FLAGS = [
  '--auth', 'none',
  '--disable-telemetry',
  '--disable-update-check',
  '--disable-workspace-trust',
  '--disable-getting-started-override',
  '--ignore-last-opened',
];

/** Starts code-server once and waits for /healthz; 'port-taken' when it lost the race for the port. */
async function launchOnce(nodeBin: string, args: string[], options: { env: NodeJS.ProcessEnv; logFile: string; port: number; startTimeoutMs: number }): Promise<GroupProcess | 'port-taken'> {
  const { logFile } = options;
  fs.appendFileSync(logFile, `\n$ ${nodeBin} ${args.join(' ')}\n`);
  const logStart = fs.statSync(logFile).size;
  const thisAttemptsLog = () => fs.readFileSync(logFile, 'utf8').slice(logStart);
  const started = Date.now();
  const server = spawnGroup(nodeBin, args, { env: options.env, logFile });
  const address = `127.0.0.1:${options.port}`;
  try {
    await waitFor(
      async () => {
        if (server.hasExited()) throw new ExitedEarly(await server.exited);
        return (await httpStatus(`http://${address}/healthz`, 2000)) === 200;
      },
      {
        timeoutMs: options.startTimeoutMs,
        intervalMs: 100,
        description: `code-server did not answer on ${address}`,
        detail: () => `log: ${logFile}\n${tailOfFile(logFile, 20)}`,
      },
    );
  } catch (error) {
    await server.stop(1000);
    if (error instanceof ExitedEarly) {
      if (/EADDRINUSE/.test(thisAttemptsLog())) return 'port-taken';
      throw new Error(`code-server exited (${error.message}) before answering on ${address}; log: ${logFile}\n${tailOfFile(logFile, 30)}`);
    }
    throw error;
  }
  fs.appendFileSync(logFile, `[harness] answered on ${address} after ${formatSeconds(Date.now() - started)}\n`);
  return server;
}

class ExitedEarly extends AbortWait {
  constructor(code: number | string) {
    super(`code-server exited with ${code}`);
  }
}

function makeHandle(parts: { server: GroupProcess; port: number; runDir: string; tmpDir: string; forgetTmpDir: () => void; userDataDir: string; extensionsDir: string; logsDir: string; logFile: string; workspaceFolder?: string }): CodeServer {
  const url = `http://127.0.0.1:${parts.port}/`;
  let stopping: Promise<void> | undefined;
  return {
    url,
    port: parts.port,
    runDir: parts.runDir,
    userDataDir: parts.userDataDir,
    extensionsDir: parts.extensionsDir,
    logsDir: parts.logsDir,
    logFile: parts.logFile,
    workspaceFolder: parts.workspaceFolder,
    pid: parts.server.pid,
    workbenchUrl(folder = parts.workspaceFolder) {
      return folder ? `${url}?folder=${encodeURIComponent(path.resolve(folder))}` : url;
    },
    stop(stopOptions = {}) {
      stopping ??= (async () => {
        await parts.server.stop();
        fs.rmSync(parts.tmpDir, { recursive: true, force: true });
        parts.forgetTmpDir();
        const keep = stopOptions.keepRunDir || process.env.APIM_KEEP_RUN_DIR === '1';
        if (!keep) {
          // The extension host may still be flushing a log for a few ms after the group is gone.
          for (let attempt = 0; attempt < 5; attempt++) {
            try {
              fs.rmSync(parts.runDir, { recursive: true, force: true });
              break;
            } catch {
              await pause(100);
            }
          }
        }
      })();
      return stopping;
    },
  };
}
