// What every real-editor test run needs besides the editor: the local ARM emulator (in this
// process), a copy of the demo workspace whose .vscode/settings.json points the extension at it
// through its ordinary settings, and the environment the editor must be started with (the
// service principal for `"apimPolicy.auth": "environment"`, plus where the suites find the
// emulator's control endpoints). Used by the in-host driver (run.ts, code-server or Electron)
// and by the UI suites. The client secret lives only in the returned env, never in a file.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { extensionSettings } from '../../emulator/connection';
import { startEmulator } from '../../emulator/index';
import type { RunningEmulator } from '../../emulator/types';
import { repoRoot } from '../harness/paths';
import { ENV, REAL_EXTENSION_ID } from './support/envNames';

/** Size of the "huge instance" of issue 4: the demo's 15 named values plus this many generated ones. */
export const BIG_INSTANCE_EXTRA_NAMED_VALUES = 10_000;

export interface IntegrationEnvironmentOptions {
  /** Also start a second emulator serving the demo instance with 10,000 extra named values. */
  bigInstance?: boolean;
  /** How long the emulator's refreshSecret operations stay InProgress (default 300 ms, the emulator's). */
  lroDurationMs?: number;
  /** Extra workspace settings merged over the connection settings. */
  workspaceSettings?: Record<string, unknown>;
}

export interface IntegrationEnvironment {
  emulator: RunningEmulator;
  bigEmulator?: RunningEmulator;
  /** A scratch copy of demo/workspace with .vscode/settings.json; removed by stop(). */
  workspaceFolder: string;
  /** For the editor process (code-server / Electron): service principal + where the emulators are. */
  env: Record<string, string>;
  /** The settings written to the workspace (no secrets in them). */
  settings: Record<string, unknown>;
  /** Stops the emulators and removes the workspace copy and certificates; idempotent. */
  stop(): Promise<void>;
}

export function demoWorkspaceSource(): string {
  return path.join(repoRoot(), 'demo', 'workspace');
}

export function demoFixturePath(): string {
  return path.join(repoRoot(), 'emulator', 'fixtures', 'demo-instance.json');
}

/**
 * The extension's own connection settings for an emulator — the same keys `npm run emulator`
 * prints (emulator/cli.ts connectionInstructions): custom cloud, environment credential, the
 * emulator's CA file, the demo instance. Background refresh is off so nothing reloads mid-test.
 */
export function connectionSettings(emulator: RunningEmulator, caFiles: string[]): Record<string, unknown> {
  return { ...extensionSettings(emulator, caFiles), 'apimPolicy.refreshIntervalMinutes': 0 };
}

export async function startIntegrationEnvironment(options: IntegrationEnvironmentOptions = {}): Promise<IntegrationEnvironment> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-it-'));
  // One secret for both emulators, so switching the ARM endpoint keeps the same credential.
  const clientSecret = `it-${crypto.randomBytes(18).toString('base64url')}`;
  const started: RunningEmulator[] = [];
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await Promise.allSettled(started.map((emulator) => emulator.stop()));
    fs.rmSync(scratch, { recursive: true, force: true });
  };
  try {
    const emulator = await startEmulator({ quiet: true, clientSecret, lroDurationMs: options.lroDurationMs, certDir: path.join(scratch, 'emulator-cert') });
    started.push(emulator);
    let bigEmulator: RunningEmulator | undefined;
    if (options.bigInstance) {
      bigEmulator = await startEmulator({
        quiet: true,
        clientSecret,
        extraNamedValues: BIG_INSTANCE_EXTRA_NAMED_VALUES,
        lroDurationMs: options.lroDurationMs,
        certDir: path.join(scratch, 'big-emulator-cert'),
      });
      started.push(bigEmulator);
    }

    const workspaceFolder = path.join(scratch, 'workspace');
    fs.cpSync(demoWorkspaceSource(), workspaceFolder, { recursive: true });
    // Only this emulator's CA: every emulator's certificate has the same subject name, and with two
    // of them trusted TLS verification may pick the wrong one. The scale suite switches both at once.
    const settings = { ...connectionSettings(emulator, [emulator.caFile]), ...options.workspaceSettings };
    // Replaces the demo's own settings.json (written for the F5 launch's emulator on a fixed port).
    fs.mkdirSync(path.join(workspaceFolder, '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(workspaceFolder, '.vscode', 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);

    const env: Record<string, string> = {
      AZURE_TENANT_ID: emulator.tenantId,
      AZURE_CLIENT_ID: emulator.clientId,
      AZURE_CLIENT_SECRET: clientSecret,
      [ENV.emulatorUrl]: emulator.url,
      [ENV.emulatorCa]: emulator.caFile,
      [ENV.extensionId]: REAL_EXTENSION_ID,
    };
    if (bigEmulator) {
      env[ENV.bigEmulatorUrl] = bigEmulator.url;
      env[ENV.bigEmulatorCa] = bigEmulator.caFile;
    }
    return { emulator, bigEmulator, workspaceFolder, env, settings, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
