// Small HTTP helpers shared by the emulator's route handlers: handlers return a value, the server writes it.
import type { IncomingMessage } from 'node:http';

export interface EmulatorResponse {
  status: number;
  headers?: Record<string, string>;
  /** JSON-serialisable body; undefined = no body. */
  body?: unknown;
  /** Pre-serialised body (wins over `body`); used for non-JSON payloads. */
  rawBody?: string;
}

/** One entry of an ARM error's `details`, as API Management fills it for validation failures. */
export interface ArmErrorDetail {
  code: string;
  target?: string;
  message: string;
}

/** An ARM-shaped failure: `{ "error": { "code", "message", "details"? } }`. */
export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly details?: ArmErrorDetail[],
  ) {
    super(message);
  }

  toResponse(): EmulatorResponse {
    const error: Record<string, unknown> = { code: this.code, message: this.message };
    if (this.details) error.details = this.details;
    return { status: this.status, headers: this.headers, body: { error } };
  }
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): EmulatorResponse {
  return { status, body, headers };
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new ArmError(413, 'RequestEntityTooLarge', 'The request body is too large.');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ArmError(400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized.');
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function serialize(res: EmulatorResponse): string | undefined {
  if (res.rawBody !== undefined) return res.rawBody;
  if (res.body === undefined) return undefined;
  return JSON.stringify(res.body);
}
