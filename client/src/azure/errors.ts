/**
 * One error shape for everything that can go wrong talking to Azure, with a
 * message a user can act on. Raw SDK messages are never passed through
 * blindly: core-client puts the whole response body into the message of
 * parse errors and of non-ARM error responses, and a body may hold values.
 */

export type AzureErrorKind =
  | 'unauthenticated'
  | 'forbidden'
  | 'notFound'
  | 'throttled'
  | 'server'
  | 'network'
  | 'malformedResponse'
  | 'cancelled'
  | 'invalidInput'
  /** 412: the resource changed since its ETag was read. */
  | 'conflict';

export interface ClassifiedError {
  kind: AzureErrorKind;
  /** HTTP status when the failure came with a response. */
  status?: number;
  /** ARM / Entra / Node error code, e.g. `AuthorizationFailed`, `invalid_client`, `ECONNREFUSED`. */
  code?: string;
  /** The service's own message (sanitized: never a raw response body). */
  message: string;
  /** What the user should do, in one or two sentences. */
  userMessage: string;
  /** Whether trying again later may succeed without the user changing anything. */
  retryable: boolean;
  /** Seconds the server asked us to wait (429/503 `Retry-After`). */
  retryAfterSeconds?: number;
  /** The service's `error.details` messages (API Management lists each policy validation problem there). */
  details?: string[];
}

/** What was being attempted; picks the RBAC role and wording in messages. */
export type AzureOperation =
  | 'read'
  | 'listValue'
  | 'refreshSecret'
  | 'listSubscriptions'
  | 'listServices'
  | 'signIn'
  | 'write';

export interface ErrorContext {
  operation?: AzureOperation;
  /** ARM resource id of the APIM instance involved. */
  instanceId?: string;
  /** Sub-resource involved, e.g. a named value name. */
  target?: string;
  /** Endpoint to name in network errors when the error itself carries no URL. */
  endpoint?: string;
}

/** Every failure leaving this layer is an AzureAccessError. */
export class AzureAccessError extends Error {
  readonly classification: ClassifiedError;

  constructor(classification: ClassifiedError) {
    super(classification.userMessage);
    this.name = 'AzureAccessError';
    this.classification = classification;
  }

  get kind(): AzureErrorKind {
    return this.classification.kind;
  }
}

export const READER_ROLE = 'API Management Service Reader Role';
export const CONTRIBUTOR_ROLE = 'API Management Service Contributor';

const NETWORK_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'EPIPE', 'ENOTFOUND',
  'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'REQUEST_SEND_ERROR', 'UND_ERR_SOCKET',
]);

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_HAS_EXPIRED', 'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_NOT_YET_VALID', 'CERT_SIGNATURE_FAILURE',
]);

/** True when a thrown value is a transport failure worth retrying. */
export function isTransientNetworkError(e: unknown): boolean {
  const err = asRecord(e);
  if (!err) return false;
  const code = typeof err.code === 'string' ? err.code : undefined;
  if (code && NETWORK_CODES.has(code)) return true;
  // A connection dropped while the body streams in surfaces as a PARSE_ERROR
  // from the Node http client, not as a socket error.
  return code === 'PARSE_ERROR' && typeof err.message === 'string' && err.message.startsWith('Error reading response as text');
}

export function classifyError(e: unknown, context: ErrorContext = {}): ClassifiedError {
  if (e instanceof AzureAccessError) return e.classification;
  const err = asRecord(e);
  if (!err) {
    return build({ kind: 'server', message: String(e) }, context);
  }
  const name = typeof err.name === 'string' ? err.name : '';
  const code = typeof err.code === 'string' ? err.code : undefined;
  const rawMessage = typeof err.message === 'string' ? err.message : String(e);

  if (name === 'AbortError' || code === 'ABORT_ERR') {
    return build({ kind: 'cancelled', message: 'The operation was cancelled.' }, context);
  }

  // @azure/identity failures.
  if (name === 'AuthenticationError') {
    const response = asRecord(err.errorResponse);
    const status = typeof err.statusCode === 'number' ? err.statusCode : undefined;
    const idCode = typeof response?.error === 'string' ? response.error : undefined;
    const description = typeof response?.errorDescription === 'string' ? response.errorDescription : rawMessage;
    if (status !== undefined && status >= 500) {
      return build({ kind: 'server', status, code: idCode, message: firstLine(description) }, { ...context, operation: 'signIn' });
    }
    return build({ kind: 'unauthenticated', status, code: idCode, message: firstLine(description) }, context);
  }
  if (name === 'CredentialUnavailableError' || name === 'AuthenticationRequiredError' || name === 'AggregateAuthenticationError') {
    // @azure/identity 4.x turns MSAL server errors into AuthenticationRequiredError; the Entra error
    // code (invalid_client, invalid_scope, …) survives only as the message prefix.
    const entraCode = /^([a-z_]+): /.exec(rawMessage)?.[1];
    return build({ kind: 'unauthenticated', code: entraCode ?? name, message: firstLine(rawMessage) }, context);
  }

  const status = typeof err.statusCode === 'number' ? err.statusCode : undefined;
  const endpoint = endpointOf(err) ?? context.endpoint;
  const ctx = { ...context, endpoint };

  if (code && TLS_CODES.has(code)) {
    return build({ kind: 'network', code, message: firstLine(rawMessage) }, ctx, { tls: true });
  }
  if (isTransientNetworkError(err) || (status === undefined && name === 'RestError' && code !== 'PARSE_ERROR')) {
    return build({ kind: 'network', code, message: firstLine(rawMessage) }, ctx);
  }
  if (code === 'PARSE_ERROR' || name === 'SyntaxError') {
    return build({ kind: 'malformedResponse', status, code: 'PARSE_ERROR', message: 'The response body is not valid JSON.' }, ctx);
  }
  if (status !== undefined) {
    const message = sanitizeServiceMessage(err, rawMessage, status);
    const retryAfterSeconds = retryAfterOf(err);
    const details = armErrorDetails(err);
    if (status === 400 && details) {
      const result = build({ kind: 'invalidInput', status, code, message: `${message} ${details.join(' ')}`.trim() }, ctx);
      result.details = details;
      return result;
    }
    if (status === 401) return build({ kind: 'unauthenticated', status, code, message }, ctx);
    if (status === 403) return build({ kind: 'forbidden', status, code, message }, ctx);
    if (status === 404) return build({ kind: 'notFound', status, code, message }, ctx);
    if (status === 412) return build({ kind: 'conflict', status, code, message }, ctx);
    if (status === 429) return build({ kind: 'throttled', status, code, message, retryAfterSeconds }, ctx);
    if (status >= 500 || status === 408) return build({ kind: 'server', status, code, message, retryAfterSeconds }, ctx);
    return build({ kind: 'invalidInput', status, code, message }, ctx);
  }
  return build({ kind: 'server', code, message: firstLine(rawMessage) }, ctx, { unexpected: true });
}

/** Wraps any thrown value so callers only ever see AzureAccessError. */
export function toAzureAccessError(e: unknown, context: ErrorContext = {}): AzureAccessError {
  if (e instanceof AzureAccessError) return e;
  return new AzureAccessError(classifyError(e, context));
}

interface Draft {
  kind: AzureErrorKind;
  status?: number;
  code?: string;
  message: string;
  retryAfterSeconds?: number;
}

function build(draft: Draft, context: ErrorContext, flags: { tls?: boolean; unexpected?: boolean } = {}): ClassifiedError {
  const result: ClassifiedError = {
    kind: draft.kind,
    message: draft.message,
    userMessage: userMessageFor(draft, context, flags),
    retryable: RETRYABLE[draft.kind] && !flags.tls,
  };
  if (draft.status !== undefined) result.status = draft.status;
  if (draft.code !== undefined) result.code = draft.code;
  if (draft.retryAfterSeconds !== undefined) result.retryAfterSeconds = draft.retryAfterSeconds;
  return result;
}

const RETRYABLE: Record<AzureErrorKind, boolean> = {
  unauthenticated: false,
  forbidden: false,
  notFound: false,
  throttled: true,
  server: true,
  network: true,
  malformedResponse: true,
  cancelled: false,
  invalidInput: false,
  conflict: false,
};

function userMessageFor(d: Draft, c: ErrorContext, flags: { tls?: boolean; unexpected?: boolean }): string {
  const instance = c.instanceId ? describeInstance(c.instanceId) : 'the API Management instance';
  const codeSuffix = d.code ? ` (${d.code})` : '';
  switch (d.kind) {
    case 'unauthenticated':
      if (d.code === 'invalid_client' || d.code === 'unauthorized_client') {
        return `Azure sign-in was rejected${codeSuffix}: check the service principal's client id, secret or certificate, and the tenant id.`;
      }
      if (d.code === 'invalid_scope') {
        return `The sign-in service refused a token for the ARM endpoint${codeSuffix}: check that the ARM endpoint and the authority host belong to the same cloud.`;
      }
      if (d.code === 'invalid_tenant' || d.code === 'invalid_request' && /tenant/i.test(d.message)) {
        return `The tenant was not found${codeSuffix}: check the tenant id and the cloud setting.`;
      }
      if (d.code === 'endpoints_resolution_error') {
        return `The sign-in endpoint${c.endpoint ? ` ${c.endpoint}` : ''} could not be used (endpoints_resolution_error): check the tenant id, the cloud / authority host setting, the network and TLS trust.`;
      }
      if (d.code === 'CredentialUnavailableError') {
        return `No Azure credential is available: ${d.message} Sign in (or pick another authentication method) and try again.`;
      }
      return `Azure did not accept the sign-in${codeSuffix}: sign in again, and check that the selected tenant is the one that owns the subscription.`;
    case 'forbidden':
      switch (c.operation) {
        case 'listValue':
          return `You may not reveal the value of ${c.target ? `named value "${c.target}"` : 'this named value'}${codeSuffix}: this needs the "${CONTRIBUTOR_ROLE}" role (action namedValues/listValue) on ${instance}.`;
        case 'refreshSecret':
          return `You may not refresh ${c.target ? `named value "${c.target}"` : 'this Key Vault named value'}${codeSuffix}: this needs the "${CONTRIBUTOR_ROLE}" role (action namedValues/refreshSecret) on ${instance}.`;
        case 'listSubscriptions':
          return `Your account may not list subscriptions${codeSuffix}: check that you signed in to the right tenant.`;
        case 'listServices':
          return `You may not list API Management instances in this subscription${codeSuffix}: ask for the "${READER_ROLE}" (or Reader) role.`;
        case 'write':
          return `You may not change ${c.target ? `"${c.target}" in ` : ''}${instance}${codeSuffix}: this needs the "${CONTRIBUTOR_ROLE}" role on the instance.`;
        default:
          return `You may not read ${instance}${codeSuffix}: ask for the "${READER_ROLE}" (or Reader) role on the instance or its resource group.`;
      }
    case 'notFound':
      if (c.target) {
        return `"${c.target}" was not found in ${instance}; it may have been deleted — reload the instance metadata.`;
      }
      return `${capitalize(instance)} no longer exists or you lack access to it — select another instance.`;
    case 'throttled': {
      const wait = d.retryAfterSeconds !== undefined ? ` Retry after ${d.retryAfterSeconds} s.` : ' Try again in a minute.';
      return `Azure Resource Manager is throttling requests (HTTP 429).${wait}`;
    }
    case 'server':
      if (flags.unexpected) return `Unexpected error talking to Azure: ${d.message}`;
      if (c.operation === 'signIn') return `The sign-in service returned an error${d.status ? ` (HTTP ${d.status})` : ''}; try again later.`;
      return `Azure returned a server error${d.status ? ` (HTTP ${d.status}${d.code ? `, ${d.code}` : ''})` : ''} and retries did not help; try again later.`;
    case 'network': {
      const where = c.endpoint ?? 'Azure';
      if (flags.tls) {
        return `The TLS certificate of ${where} is not trusted${codeSuffix}. For a private endpoint or a local emulator, add its CA certificate (PEM) to the extra CA certificates setting, or start VS Code with NODE_EXTRA_CA_CERTS pointing to it.`;
      }
      return `Cannot reach ${where}${codeSuffix}: check your network connection, proxy settings and the cloud setting.`;
    }
    case 'malformedResponse':
      return `${c.endpoint ?? 'Azure'} returned a response that could not be read (not the expected JSON); try again, and check for a proxy that rewrites responses.`;
    case 'cancelled':
      return 'Cancelled.';
    case 'invalidInput':
      return d.message;
    case 'conflict':
      return `${c.target ? `"${c.target}"` : 'It'} changed on ${instance} since it was read${codeSuffix}; read it again before writing.`;
  }
}

/** "service 'name' (resource group 'rg')" from an instance id, without importing the parser (avoids a cycle). */
function describeInstance(instanceId: string): string {
  const match = /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ApiManagement\/service\/([^/]+)/i.exec(instanceId);
  return match ? `the API Management instance "${match[2]}" (resource group "${match[1]}")` : 'the API Management instance';
}

/**
 * ARM messages come from the `error.message` of the body; core-client falls
 * back to the raw body text when the body is not an ARM error, so that case
 * is replaced by a neutral description.
 */
function sanitizeServiceMessage(err: Record<string, unknown>, rawMessage: string, status: number): string {
  const response = asRecord(err.response);
  const bodyText = typeof response?.bodyAsText === 'string' ? response.bodyAsText : undefined;
  if ((bodyText !== undefined && rawMessage === bodyText) || rawMessage.includes('occurred in deserializing the responseBody')) {
    return `HTTP ${status} without an ARM error body.`;
  }
  return firstLine(rawMessage) || `HTTP ${status}.`;
}

/** `error.details[].message` of an ARM error body, when the response carried any. */
function armErrorDetails(err: Record<string, unknown>): string[] | undefined {
  const response = asRecord(err.response);
  const text = typeof response?.bodyAsText === 'string' ? response.bodyAsText : undefined;
  if (!text) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  const details = asRecord(asRecord(body)?.error)?.details;
  if (!Array.isArray(details)) return undefined;
  const messages = details.map((d) => asRecord(d)?.message).filter((m): m is string => typeof m === 'string' && m.length > 0);
  return messages.length > 0 ? messages : undefined;
}

function retryAfterOf(err: Record<string, unknown>): number | undefined {
  const response = asRecord(err.response);
  const headers = asRecord(response?.headers);
  const get = headers?.get;
  if (typeof get !== 'function') return undefined;
  const value = (get as (name: string) => string | undefined).call(headers, 'retry-after');
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, Math.ceil((date - Date.now()) / 1000)) : undefined;
}

function endpointOf(err: Record<string, unknown>): string | undefined {
  const request = asRecord(err.request);
  const url = typeof request?.url === 'string' ? request.url : undefined;
  if (!url) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

function firstLine(text: string): string {
  const line = text.split(/\r?\n/, 1)[0] ?? '';
  return line.length > 500 ? `${line.slice(0, 500)}…` : line;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}
