/**
 * How a client reaches a running emulator through the extension's ordinary
 * settings (a custom cloud, the environment credential and the emulator's CA)
 * — one definition for the CLI banner, the demo and the workbench tests.
 */
import type { RunningEmulator } from './types';

export function extensionSettings(emu: RunningEmulator, caFiles: string[] = [emu.caFile]): Record<string, unknown> {
  return {
    'apimPolicy.cloud': 'custom',
    'apimPolicy.customCloud.armEndpoint': emu.url,
    'apimPolicy.customCloud.authorityHost': emu.url,
    'apimPolicy.auth': 'environment',
    'apimPolicy.extraCaCertificates': caFiles,
    'apimPolicy.instance': emu.instanceId,
  };
}

/** What `"apimPolicy.auth": "environment"` reads; it belongs in a process environment, never in a file. */
export function credentialEnvironment(emu: RunningEmulator): Record<string, string> {
  return {
    AZURE_TENANT_ID: emu.tenantId,
    AZURE_CLIENT_ID: emu.clientId,
    AZURE_CLIENT_SECRET: emu.clientSecret,
  };
}
