/**
 * Publishing a policy text to its scope on the instance, safely: PUT with
 * If-Match set to the ETag the text was based on. The decisions only; the
 * questions to the person go through `PublishPrompts`, so the flow runs in
 * plain Node against the emulator (test/client/policyPublish.test.ts).
 *
 *   ask (if the setting says so) ─▶ PUT If-Match ─▶ published
 *                                     ├─ 412 ─▶ read theirs ─▶ same text as mine? published (our own earlier write)
 *                                     │                    └─▶ ask: overwrite (PUT If-Match theirs) │ merge │ keep
 *                                     ├─ 400 ─▶ rejected, with APIM's problems located in the text
 *                                     └─ throttled / network / … (after the pipeline's retries) ─▶ failed
 */
import type { ClassifiedError } from '../azure/errors';
import { AzureAccessError, classifyError } from '../azure/errors';
import type { ApimClientSource } from '../azure/armClient';
import { type PolicyRead, readPolicy, writePolicy } from '../azure/policies';
import type { PolicyScope } from '../azure/policyScopes';
import { locateProblems, type PublishProblem } from './problems';

export interface PublishRequest {
  instanceId: string;
  /** The service name, for questions and messages. */
  serviceName: string;
  scope: PolicyScope;
  /** What to publish. */
  text: string;
  /** The ETag `text` was based on; undefined when the scope had no policy. */
  baseEtag: string | undefined;
  /** A fragment's description, sent back unchanged. */
  description?: string;
  /** Ask before writing (the `apimPolicy.policies.confirmPublish` setting). */
  confirm: boolean;
  signal?: AbortSignal;
}

/** The instance's version at the moment of a conflict. */
export interface TheirVersion {
  /** Undefined when the policy was deleted on the instance meanwhile. */
  text: string | undefined;
  etag: string | undefined;
}

export type ConflictChoice = 'overwrite' | 'merge' | 'keep';

export interface PublishPrompts {
  /** Whether to go ahead; false cancels. */
  confirmPublish(request: PublishRequest): Promise<boolean>;
  /** The instance changed since `baseEtag`: show theirs beside mine and ask what to do. */
  resolveConflict(request: PublishRequest, theirs: TheirVersion): Promise<ConflictChoice>;
}

export type PublishOutcome =
  | { kind: 'published'; etag: string; overwrote: boolean }
  | { kind: 'cancelled' }
  /** Not published: the person chose to merge (adopt `theirs.etag` as the new base) or to keep theirs for now. */
  | { kind: 'conflict'; choice: 'merge' | 'keep'; theirs: TheirVersion }
  /** 400: APIM refused the text; each problem located in it. */
  | { kind: 'rejected'; problems: PublishProblem[]; error: ClassifiedError }
  | { kind: 'scopeMissing'; missing: string }
  | { kind: 'failed'; error: ClassifiedError };

/** Enough rounds for "overwrite" to win against a colleague who keeps saving; then give up and say so. */
const MAX_OVERWRITE_ROUNDS = 3;

export async function publishPolicy(clients: ApimClientSource, request: PublishRequest, prompts: PublishPrompts): Promise<PublishOutcome> {
  if (request.confirm && !(await prompts.confirmPublish(request))) return { kind: 'cancelled' };
  let ifMatch = request.baseEtag;
  let overwrote = false;
  for (let round = 0; round <= MAX_OVERWRITE_ROUNDS; round++) {
    try {
      const { etag } = await writePolicy(clients, request.instanceId, request.scope, request.text, { ifMatch, description: request.description, signal: request.signal });
      return { kind: 'published', etag, overwrote };
    } catch (e) {
      const error = e instanceof AzureAccessError ? e.classification : classifyError(e);
      if (error.kind === 'invalidInput' && error.status === 400) {
        return { kind: 'rejected', problems: locateProblems(request.text, error.details ?? [error.message]), error };
      }
      if (error.kind === 'notFound') {
        const read = await readOrFail(clients, request);
        if (read.kind === 'scopeMissing') return read;
        return { kind: 'failed', error };
      }
      if (error.kind !== 'conflict') return { kind: 'failed', error };
    }
    // 412: someone changed (or deleted) the policy since `ifMatch` was read.
    const read = await readOrFail(clients, request);
    if (read.kind === 'failed' || read.kind === 'scopeMissing') return read;
    const theirs: TheirVersion = read.kind === 'found' ? { text: read.text, etag: read.etag } : { text: undefined, etag: undefined };
    if (read.kind === 'found' && read.text === request.text) {
      // What is there is what we are publishing: our own earlier attempt got through before its answer was lost.
      return { kind: 'published', etag: read.etag, overwrote };
    }
    const choice = await prompts.resolveConflict(request, theirs);
    if (choice !== 'overwrite') return { kind: 'conflict', choice, theirs };
    ifMatch = theirs.etag;
    overwrote = true;
  }
  return {
    kind: 'failed',
    error: { kind: 'conflict', message: 'The policy kept changing while it was being overwritten.', userMessage: `The policy keeps changing on ${request.serviceName}; try again in a moment.`, retryable: true },
  };
}

async function readOrFail(clients: ApimClientSource, request: PublishRequest): Promise<Exclude<PolicyRead, never> | { kind: 'failed'; error: ClassifiedError }> {
  try {
    return await readPolicy(clients, request.instanceId, request.scope, { signal: request.signal });
  } catch (e) {
    return { kind: 'failed', error: classifyError(e) };
  }
}
