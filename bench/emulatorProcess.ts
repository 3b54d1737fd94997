/**
 * Runs the emulator in a child process for the instance benchmark, so serving 10,000 named values
 * does not share the load's event loop and CPU — as real ARM would not. The parent drives faults
 * and reads request statistics over the emulator's loopback control endpoints.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as https from 'node:https';
import { startEmulator } from '../emulator';
import type { ArmRequestStats, EmulatorOptions } from '../emulator/types';

export interface EmulatorConnection {
  url: string;
  caPem: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  subscriptionId: string;
  instanceId: string;
}

export interface EmulatorChild extends EmulatorConnection {
  setFaults(faults: Record<string, unknown>): Promise<void>;
  stats(): Promise<ArmRequestStats>;
  resetStats(): Promise<void>;
  stop(): Promise<void>;
}

export async function startEmulatorProcess(options: EmulatorOptions): Promise<EmulatorChild> {
  const child: ChildProcess = fork(__filename, ['--child'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const connection = await new Promise<EmulatorConnection>((resolve, reject) => {
    child.once('message', (message) => resolve(message as EmulatorConnection));
    child.once('exit', (code) => reject(new Error(`the emulator process exited with ${code} before it started`)));
    child.send(options);
  });
  const control = (method: string, path: string, body?: unknown): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const text = body === undefined ? undefined : JSON.stringify(body);
      const request = https.request(new URL(`/_emulator/${path}`, connection.url), { method, ca: connection.caPem, headers: text ? { 'content-type': 'application/json' } : {} }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          if ((response.statusCode ?? 0) >= 300) reject(new Error(`${method} ${path}: ${response.statusCode} ${raw}`));
          else resolve(raw ? JSON.parse(raw) : undefined);
        });
      });
      request.on('error', reject);
      request.end(text);
    });
  return {
    ...connection,
    setFaults: async (faults) => void (await control('POST', 'faults', faults)),
    stats: async () => (await control('GET', 'stats')) as ArmRequestStats,
    resetStats: async () => void (await control('DELETE', 'stats')),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}

/** In the child: start the emulator with the options the parent sends, report how to reach it, stop on disconnect. */
if (process.argv.includes('--child') && process.send) {
  process.once('message', (options: EmulatorOptions) => {
    void startEmulator({ ...options, quiet: true }).then((emu) => {
      process.once('disconnect', () => void emu.stop().then(() => process.exit(0)));
      const connection: EmulatorConnection = {
        url: emu.url,
        caPem: emu.caPem,
        tenantId: emu.tenantId,
        clientId: emu.clientId,
        clientSecret: emu.clientSecret,
        subscriptionId: emu.subscriptionId,
        instanceId: emu.instanceId,
      };
      process.send!(connection);
    });
  });
}
