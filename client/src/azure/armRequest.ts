/**
 * One ARM request through an ApiManagementClient's own pipeline (token,
 * CA trust, our retry rules, trace logging), for calls the generated
 * operations cannot make as we need them. Non-2xx answers become the
 * RestError core-client would have thrown, so classification is uniform.
 */
import { createHttpHeaders, createPipelineRequest, RestError } from '@azure/core-rest-pipeline';
import type { ApimClientHandle } from './armClient';

export interface ArmRequestOptions {
  method: 'GET' | 'PUT' | 'DELETE' | 'HEAD';
  /** Absolute URL, or a path below the ARM endpoint (starting with `/`). */
  url: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: unknown;
  signal?: AbortSignal;
}

export interface ArmResponse {
  status: number;
  /** Parsed JSON body; undefined for an empty body. */
  body: unknown;
  header(name: string): string | undefined;
}

export async function sendArmRequest(handle: ApimClientHandle, options: ArmRequestOptions): Promise<ArmResponse> {
  const url = new URL(options.url.startsWith('/') ? `${handle.armEndpoint.replace(/\/+$/, '')}${options.url}` : options.url);
  if (!url.searchParams.has('api-version')) url.searchParams.set('api-version', handle.client.apiVersion);
  for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
  const headers = createHttpHeaders({ Accept: 'application/json', ...options.headers });
  if (options.body !== undefined) headers.set('Content-Type', 'application/json; charset=utf-8');
  const request = createPipelineRequest({
    url: url.toString(),
    method: options.method,
    abortSignal: options.signal,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const response = await handle.client.sendRequest(request);
  let body: unknown;
  try {
    body = response.bodyAsText ? JSON.parse(response.bodyAsText) : undefined;
  } catch {
    body = undefined;
  }
  if (response.status < 200 || response.status >= 300) {
    const armError = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    throw new RestError(typeof armError?.message === 'string' ? armError.message : `HTTP ${response.status}`, {
      statusCode: response.status,
      code: typeof armError?.code === 'string' ? armError.code : undefined,
      request,
      response,
    });
  }
  return { status: response.status, body, header: (name) => response.headers.get(name) };
}
