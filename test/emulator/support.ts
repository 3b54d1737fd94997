// Shared plumbing for the emulator tests: trusting the emulator's certificate in the Azure SDK pipelines,
// a real ClientSecretCredential, and a raw HTTPS client for wire-level assertions.
import * as https from 'node:https';
import { ClientSecretCredential } from '@azure/identity';
import { ApiManagementClient } from '@azure/arm-apimanagement';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import type { RunningEmulator } from '../../emulator';
import { waitFor as poll } from '../harness/wait';

/** Per-call policy that sends every request through an agent trusting the emulator's certificate. */
export function trustPolicy(caPem: string): PipelinePolicy {
  const agent = new https.Agent({ ca: caPem, keepAlive: true });
  return {
    name: 'trustEmulatorCertificate',
    sendRequest(request, next) {
      request.agent = agent;
      return next(request);
    },
  };
}

export function pipelineOptions(emu: RunningEmulator): { additionalPolicies: Array<{ policy: PipelinePolicy; position: 'perCall' }> } {
  return { additionalPolicies: [{ policy: trustPolicy(emu.caPem), position: 'perCall' }] };
}

export function credentialFor(emu: RunningEmulator, secret = emu.clientSecret): ClientSecretCredential {
  return new ClientSecretCredential(emu.tenantId, emu.clientId, secret, {
    authorityHost: emu.url,
    disableInstanceDiscovery: true,
    ...pipelineOptions(emu),
  });
}

export function sdkClient(emu: RunningEmulator, maxRetries?: number): ApiManagementClient {
  return new ApiManagementClient(credentialFor(emu), emu.subscriptionId, {
    endpoint: emu.url,
    ...pipelineOptions(emu),
    ...(maxRetries === undefined ? {} : { retryOptions: { maxRetries } }),
  });
}

export async function armToken(emu: RunningEmulator): Promise<string> {
  const token = await credentialFor(emu).getToken(`${emu.url}/.default`);
  return token.token;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

/** One HTTPS request to the emulator without any SDK in between; rejects on socket errors. */
export function rawRequest(
  emu: RunningEmulator,
  method: string,
  pathAndQuery: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string>; form?: string } = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = { ...options.headers };
  let payload: string | undefined;
  if (options.form !== undefined) {
    payload = options.form;
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
  } else if (options.body !== undefined) {
    payload = JSON.stringify(options.body);
    headers['Content-Type'] = 'application/json';
  }
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  return new Promise((resolve, reject) => {
    const req = https.request(`${emu.url}${pathAndQuery}`, { method, headers, ca: emu.caPem, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown;
        try {
          parsed = text === '' ? undefined : JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: parsed });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs: number, what: string): Promise<T> {
  return poll(check, { timeoutMs, intervalMs: 20, description: what });
}

export const DEMO_RG = 'rg-contoso-apis';
export const DEMO_SERVICE = 'contoso-apim';

export function demoServicePath(emu: RunningEmulator): string {
  return emu.instanceId;
}
