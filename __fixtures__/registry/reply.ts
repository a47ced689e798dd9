/**
 * What a handler answers, before faults and the wire. Handlers never write to the socket themselves,
 * so the fault layer can delay, truncate or corrupt any answer.
 */
import type { IncomingMessage } from 'node:http'

export interface Reply {
  status: number
  headers: Record<string, string>
  /** for HEAD the body is dropped on the wire but its length is still sent */
  body?: Uint8Array
}

/** Error codes of the distribution spec (v1.1) plus distribution's TOOMANYREQUESTS/UNAVAILABLE. */
export type SpecErrorCode =
  | 'BLOB_UNKNOWN'
  | 'BLOB_UPLOAD_INVALID'
  | 'BLOB_UPLOAD_UNKNOWN'
  | 'DIGEST_INVALID'
  | 'MANIFEST_BLOB_UNKNOWN'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_UNKNOWN'
  | 'NAME_INVALID'
  | 'SIZE_INVALID'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'UNSUPPORTED'
  | 'TOOMANYREQUESTS'

export function json(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: new TextEncoder().encode(JSON.stringify(value))
  }
}

export function specError(status: number, code: SpecErrorCode, message: string, detail?: unknown, headers: Record<string, string> = {}): Reply {
  const entry: Record<string, unknown> = { code, message }
  if (detail !== undefined) entry.detail = detail
  return json(status, { errors: [entry] }, headers)
}

export function empty(status: number, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'Content-Length': '0', ...headers } }
}

/** Read a whole request body (bodies in tests are small; uploads are kept in memory anyway). */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}
