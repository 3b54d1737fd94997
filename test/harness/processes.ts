// Process control: every long-lived child runs in its own process group so that stopping it
// also stops whatever it forked (code-server forks the extension host, the pty host, ...).
// Groups still alive when this Node process exits, or gets SIGINT/SIGTERM, are killed.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import * as fs from 'node:fs';
import { pause } from './wait';

const liveGroups = new Set<number>();
const scratchDirs = new Set<string>();
let exitHooksInstalled = false;

/** Registers a scratch folder (browser profile, temp dir) to delete if the process exits before its owner does. */
export function removeOnExit(dir: string): () => void {
  installExitHooks();
  scratchDirs.add(dir);
  return () => scratchDirs.delete(dir);
}

function killGroupNow(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function killAllGroupsNow(): void {
  for (const pgid of liveGroups) killGroupNow(pgid, 'SIGKILL');
  liveGroups.clear();
  for (const dir of scratchDirs) fs.rmSync(dir, { recursive: true, force: true });
  scratchDirs.clear();
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  // 'exit' handlers must be synchronous: SIGKILL is the only thing that is sure to land.
  process.on('exit', killAllGroupsNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = (): void => {
      killAllGroupsNow();
      // When nobody else (e.g. mocha) handles the signal, keep the default meaning: exit.
      if (process.listenerCount(signal) === 1) process.exit(128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const)[signal]);
    };
    process.on(signal, handler);
  }
}

/**
 * Exit hooks cannot run when the test process is SIGKILLed (e.g. by a CI time limit). A tiny
 * detached watchdog polls for the parent's death and then kills the group; it ends by itself
 * once the group is gone.
 */
const WATCHDOG_SCRIPT = `
const [parent, group] = process.argv.slice(1).map(Number);
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
setInterval(() => {
  if (!alive(-group)) process.exit(0);
  if (!alive(parent)) { try { process.kill(-group, 'SIGKILL'); } catch {} process.exit(0); }
}, 1000);
`;

function startWatchdog(pgid: number): void {
  const watchdog = spawn(process.execPath, ['-e', WATCHDOG_SCRIPT, String(process.pid), String(pgid)], { detached: true, stdio: 'ignore' });
  watchdog.unref();
}

export interface GroupProcess {
  child: ChildProcess;
  pid: number;
  /** Resolves with the exit code (or signal name) once the leader process has exited. */
  exited: Promise<number | string>;
  /** True once the leader process has exited. */
  hasExited(): boolean;
  /** SIGTERM to the whole group, then SIGKILL after `graceMs`; idempotent. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts `command` as the leader of a new process group, stdout+stderr appended to `logFile`. */
export function spawnGroup(command: string, args: string[], options: { cwd?: string; env: NodeJS.ProcessEnv; logFile: string }): GroupProcess {
  installExitHooks();
  const logFd = fs.openSync(options.logFile, 'a');
  const spawnOptions: SpawnOptions = { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', logFd, logFd] };
  const child = spawn(command, args, spawnOptions);
  fs.closeSync(logFd);
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  const pid = child.pid;
  liveGroups.add(pid);
  startWatchdog(pid);
  let exitedFlag = false;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      exitedFlag = true;
      resolve(code ?? signal ?? 'unknown');
    });
    child.once('error', (error) => {
      exitedFlag = true;
      resolve(`spawn error: ${error.message}`);
    });
  });
  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 5000): Promise<void> => {
    stopping ??= (async () => {
      killGroupNow(pid, 'SIGTERM');
      const deadline = Date.now() + graceMs;
      while (groupAlive(pid) && Date.now() < deadline) await pause(50);
      if (groupAlive(pid)) killGroupNow(pid, 'SIGKILL');
      const killDeadline = Date.now() + 5000;
      while (groupAlive(pid) && Date.now() < killDeadline) await pause(50);
      liveGroups.delete(pid);
      if (groupAlive(pid)) throw new Error(`process group ${pid} (${command}) survived SIGKILL for 5 s`);
    })();
    return stopping;
  };
  return { child, pid, exited, hasExited: () => exitedFlag, stop };
}

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  durationMs: number;
}

/**
 * Runs a command to completion with output appended to `logFile` (or inherited when
 * `logFile` is undefined). Killed (whole group) after `timeoutMs`.
 */
export async function runToCompletion(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; logFile?: string; timeoutMs: number },
): Promise<CommandResult> {
  installExitHooks();
  const started = Date.now();
  const logFd = options.logFile ? fs.openSync(options.logFile, 'a') : undefined;
  if (logFd !== undefined) fs.writeSync(logFd, `\n$ ${command} ${args.join(' ')}\n`);
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: logFd !== undefined ? ['ignore', logFd, logFd] : ['ignore', 'inherit', 'inherit'],
  });
  if (logFd !== undefined) fs.closeSync(logFd);
  const pid = child.pid;
  if (pid !== undefined) liveGroups.add(pid);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (pid !== undefined) killGroupNow(pid, 'SIGKILL');
  }, options.timeoutMs);
  try {
    const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (exitCode, exitSignal) => resolve({ code: exitCode, signal: exitSignal }));
    });
    if (timedOut) throw new Error(`${command} ${args.join(' ')}: killed after ${Math.round(options.timeoutMs / 1000)} s without finishing`);
    return { code, signal, durationMs: Date.now() - started };
  } finally {
    clearTimeout(timer);
    if (pid !== undefined) {
      // Leftover grandchildren (e.g. a compiler a failed build left behind) go with the group.
      killGroupNow(pid, 'SIGKILL');
      liveGroups.delete(pid);
    }
  }
}

/** The last `lines` lines of a text file (for error messages pointing at a log). */
export function tailOfFile(file: string, lines = 30): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.split('\n').slice(-lines).join('\n');
  } catch {
    return `(no log at ${file})`;
  }
}
