/**
 * Pipeline policies shared by the ARM client and the credential's token
 * requests: extra CA trust, trace logging, a JSON guard and our retry rules.
 *
 * Why custom retry rules: core-rest-pipeline's default retry policy honours
 * any `Retry-After` without an upper bound (a 429 asking for an hour would
 * hang the load for an hour) and does not retry a 429 that lacks the header.
 */
import * as https from 'node:https';
import * as tls from 'node:tls';
import {
  retryPolicy,
  type PipelinePolicy,
  type RestError,
  type PipelineRequest,
  type PipelineResponse,
  type RetryStrategy,
} from '@azure/core-rest-pipeline';
import { AzureAccessError, isTransientNetworkError } from './errors';
import type { AzureTraceLogger, RetrySettings } from './options';

export const extraCaPolicyName = 'apimExtraCaPolicy';
export const traceLogPolicyName = 'apimTraceLogPolicy';
export const jsonGuardPolicyName = 'apimJsonGuardPolicy';
export const retryCapPolicyName = 'apimRetryAfterCapPolicy';

/**
 * Trusts the bundled Mozilla roots plus `extra`. A request that already has
 * an agent (the proxy policy sets one when a proxy is configured) keeps it:
 * behind a proxy, NODE_EXTRA_CA_CERTS is the way to add trust.
 */
export function extraCaPolicy(extra: readonly string[]): PipelinePolicy {
  const agent = agentFor(extra);
  return {
    name: extraCaPolicyName,
    sendRequest(request, next) {
      if (!request.agent && request.url.toLowerCase().startsWith('https:')) request.agent = agent;
      return next(request);
    },
  };
}

/**
 * One keep-alive agent per CA set, shared by the credential and every ARM
 * client, so connections (and TLS handshakes) are reused across them.
 */
const agents = new Map<string, https.Agent>();

function agentFor(extra: readonly string[]): https.Agent {
  const key = extra.join('\n');
  let agent = agents.get(key);
  if (!agent) {
    // One secure context, built once: passing `ca` instead would make Node rebuild a context from
    // ~150 certificates for every connection and join them all into the pool key of every request.
    const secureContext = tls.createSecureContext({ ca: [...tls.rootCertificates, ...extra] });
    agent = new https.Agent({ keepAlive: true, secureContext });
    agents.set(key, agent);
  }
  return agent;
}

/** Query parameters safe and useful to log; everything else is dropped. */
const LOGGED_QUERY_KEYS = new Set(['api-version', '$top', '$skip', 'format']);

export function describeUrlForLog(url: string): string {
  try {
    const parsed = new URL(url);
    const kept = [...parsed.searchParams.entries()].filter(([key]) => LOGGED_QUERY_KEYS.has(key));
    const extra = [...parsed.searchParams.keys()].some((key) => !LOGGED_QUERY_KEYS.has(key)) ? '&…' : '';
    const query = kept.length ? `?${kept.map(([k, v]) => `${k}=${v}`).join('&')}${extra}` : extra ? '?…' : '';
    return `${parsed.origin}${parsed.pathname}${query}`;
  } catch {
    return '<unparseable url>';
  }
}

/** One line per attempt: never headers or bodies (token requests carry secrets in the body). */
export function traceLogPolicy(logger: AzureTraceLogger, label: string): PipelinePolicy {
  return {
    name: traceLogPolicyName,
    async sendRequest(request, next) {
      const started = Date.now();
      const what = `${label} ${request.method} ${describeUrlForLog(request.url)}`;
      try {
        const response = await next(request);
        safeLog(logger, `${what} → ${response.status} (${Date.now() - started} ms)`);
        return response;
      } catch (e) {
        const err = e as { code?: unknown; statusCode?: unknown; name?: unknown };
        const reason = typeof err.code === 'string' ? err.code : typeof err.name === 'string' ? err.name : 'error';
        const status = typeof err.statusCode === 'number' ? ` ${err.statusCode}` : '';
        safeLog(logger, `${what} → failed${status} ${reason} (${Date.now() - started} ms)`);
        throw e;
      }
    },
  };
}

/**
 * Rejects successful responses whose body is not JSON (an HTML page from a
 * captive portal, a truncated body, an empty GET) before the SDK could turn
 * them into silently empty results. The body is never put in the error.
 */
export function jsonGuardPolicy(): PipelinePolicy {
  return {
    name: jsonGuardPolicyName,
    async sendRequest(request, next) {
      const response = await next(request);
      if (response.status < 200 || response.status >= 300 || request.method === 'HEAD') return response;
      const text = response.bodyAsText;
      if (!text || !text.trim()) {
        if (request.method === 'GET' && response.status === 200) throw malformed(request, response, 'empty body');
        return response;
      }
      // core-client's deserialization runs inside this policy and sets parsedBody when it parsed JSON.
      if ((response as { parsedBody?: unknown }).parsedBody === undefined) {
        try {
          JSON.parse(text);
        } catch {
          throw malformed(request, response, `not JSON (content-type ${response.headers.get('content-type') ?? 'none'})`);
        }
      }
      return response;
    },
  };
}

function malformed(request: PipelineRequest, response: PipelineResponse, why: string): AzureAccessError {
  const origin = safeOrigin(request.url);
  return new AzureAccessError({
    kind: 'malformedResponse',
    status: response.status,
    code: 'PARSE_ERROR',
    message: `Response from ${describeUrlForLog(request.url)} is ${why}.`,
    userMessage: `${origin} returned a response that could not be read (${why}); try again, and check for a proxy that rewrites responses.`,
    retryable: true,
  });
}

/**
 * Our retry rules as a single strategy for core-rest-pipeline's retryPolicy:
 * - 429/503 with Retry-After ≤ cap: wait as asked; > cap: fail now (throttled).
 * - 429 without Retry-After, 5xx (not 501/505), 408: exponential backoff.
 * - connection failures: exponential backoff.
 */
export function armRetryStrategy(settings: RetrySettings, logger?: AzureTraceLogger): RetryStrategy {
  return {
    name: 'apimRetryStrategy',
    retry({ retryCount, response, responseError }) {
      if (responseError && !response) {
        if (!isTransientNetworkError(responseError)) return { errorToThrow: responseError };
        const delay = backoff(retryCount, settings);
        log(logger, `retry ${retryCount + 1}/${settings.maxRetries} after ${delay} ms: ${String(responseError.code ?? 'network error')}`);
        return { retryAfterInMs: delay };
      }
      if (!response) return { skipStrategy: true };
      const status = response.status;
      const retryAfterMs = retryAfterInMs(response);
      if ((status === 429 || status === 503) && retryAfterMs !== undefined) {
        if (retryAfterMs > settings.maxRetryAfterSeconds * 1000) {
          // retryPolicy rethrows errorToThrow as is; its declared type is just narrower than what it accepts.
          return { errorToThrow: throttledBeyondCap(status, retryAfterMs, settings) as unknown as RestError };
        }
        log(logger, `retry ${retryCount + 1}/${settings.maxRetries} after Retry-After ${retryAfterMs} ms (HTTP ${status})`);
        return { retryAfterInMs: retryAfterMs };
      }
      if (status === 429 || status === 408 || (status >= 500 && status !== 501 && status !== 505)) {
        const delay = backoff(retryCount, settings);
        log(logger, `retry ${retryCount + 1}/${settings.maxRetries} after ${delay} ms (HTTP ${status})`);
        return { retryAfterInMs: delay };
      }
      return { skipStrategy: true };
    },
  };
}

export function armRetryPolicy(settings: RetrySettings, logger?: AzureTraceLogger): PipelinePolicy {
  return retryPolicy([armRetryStrategy(settings, logger)], { maxRetries: settings.maxRetries });
}

/**
 * For pipelines whose retry policy we cannot replace (the credential's
 * internal IdentityClient): fail fast when Retry-After exceeds the cap. It
 * throws a non-RestError, which the built-in retry policy passes straight up.
 */
export function retryAfterCapPolicy(settings: RetrySettings): PipelinePolicy {
  return {
    name: retryCapPolicyName,
    async sendRequest(request, next) {
      const response = await next(request);
      const retryAfterMs = retryAfterInMs(response);
      if ((response.status === 429 || response.status === 503) && retryAfterMs !== undefined && retryAfterMs > settings.maxRetryAfterSeconds * 1000) {
        throw throttledBeyondCap(response.status, retryAfterMs, settings);
      }
      return response;
    },
  };
}

function throttledBeyondCap(status: number, retryAfterMs: number, settings: RetrySettings): AzureAccessError {
  const seconds = Math.ceil(retryAfterMs / 1000);
  return new AzureAccessError({
    kind: 'throttled',
    status,
    code: status === 429 ? 'TooManyRequests' : 'ServiceUnavailable',
    message: `The server asked to wait ${seconds} s (Retry-After), more than the ${settings.maxRetryAfterSeconds} s limit.`,
    userMessage: `Azure Resource Manager is throttling requests (HTTP ${status}); retry after ${seconds} s.`,
    retryable: true,
    retryAfterSeconds: seconds,
  });
}

/** Same header precedence as core-rest-pipeline: retry-after-ms, x-ms-retry-after-ms, Retry-After (seconds or date). */
export function retryAfterInMs(response: PipelineResponse): number | undefined {
  for (const header of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const value = Number(response.headers.get(header));
    if (response.headers.has(header) && Number.isFinite(value)) return Math.max(0, value);
  }
  const raw = response.headers.get('retry-after');
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (raw.trim() !== '' && Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(raw);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

function backoff(retryCount: number, settings: RetrySettings): number {
  const exponential = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** retryCount);
  // Half fixed, half random, so parallel requests do not retry in lock step.
  return Math.round(exponential / 2 + Math.random() * (exponential / 2));
}

function log(logger: AzureTraceLogger | undefined, line: string): void {
  if (logger) safeLog(logger, line);
}

/** A throwing logger must not break a request. */
function safeLog(logger: AzureTraceLogger, line: string): void {
  try {
    logger(line);
  } catch {
    // ignored on purpose
  }
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'Azure';
  }
}
