/**
 * Blobs: existence, verified download, and upload — monolithic POST then PUT `?digest=`, chunked
 * PATCH when the registry asks for it, cross-repository mount when a source is known. Files are
 * streamed from disk, never read whole.
 * https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#pushing-blobs
 */
import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import { isOciError, isTransient, OciError } from '../../errors.js'
import { digestFile, digestOf, parseDigest, verifyBytes } from '../digest.js'
import type { BlobSource, PushBlobOptions } from '../target.js'
import type { Descriptor } from '../types.js'
import { errCtx, v2, type RepoContext } from './repo-context.js'
import { backoffDelay } from '../../backoff.js'

/** `fetchBlob` refuses larger blobs unless the caller allows them: the result is held in memory. */
export const DEFAULT_MAX_BLOB_BYTES = 256 * 1024 * 1024
/** Chunk size for chunked uploads when the registry's `OCI-Chunk-Min-Length` is smaller (or absent). */
export const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024
/**
 * Upload sessions started for one blob. A failed PUT is not resent on the same session:
 * distribution appends what it received before the failure, so the retry starts a new session.
 */
export const MAX_UPLOAD_SESSIONS = 3
/** In-memory blobs up to this size go up in one POST with `?digest=` (no HEAD first). */
export const SMALL_BLOB_BYTES = 64 * 1024
/** Answers to a monolithic PUT that mean "send it in chunks". */
const MONOLITHIC_REFUSED = new Set([405, 413, 416, 501])

/** `access: 'push'` when a push follows: one pull,push token then serves the whole upload. */
export async function blobExists(ctx: RepoContext, digest: string, access: 'pull' | 'push' = 'pull'): Promise<boolean> {
  parseDigest(digest)
  const reply = await ctx.transport.request({
    method: 'HEAD',
    url: v2(ctx, `blobs/${digest}`),
    kind: 'blob.head',
    access,
    idempotent: true,
    ok: [200, 404],
    ctx: errCtx(ctx, `check blob ${digest}`, 'in')
  })
  return reply.status === 200
}

/** Whole blob, verified against its digest; blob storage redirects are followed without credentials. */
export async function fetchBlob(ctx: RepoContext, desc: Descriptor, maxBytes = DEFAULT_MAX_BLOB_BYTES): Promise<Uint8Array> {
  const op = `fetch blob ${desc.digest}`
  if (desc.size > maxBytes) {
    throw new OciError('SIZE_EXCEEDED', `${op} from ${ctx.where}: ${desc.size} bytes is over the limit of ${maxBytes}`, { op, where: ctx.where })
  }
  const reply = await ctx.transport.request({
    method: 'GET',
    url: v2(ctx, `blobs/${desc.digest}`),
    kind: 'blob.get',
    access: 'pull',
    idempotent: true,
    ok: [200],
    // more bytes than the descriptor says is already wrong
    readBody: desc.size,
    ctx: errCtx(ctx, op, 'from')
  })
  verifyBytes(reply.body, desc.digest, `${op} from ${ctx.where}`)
  return reply.body
}

interface Content {
  digest: string
  size: number
  /** the bytes [start, end) as a fresh body for each attempt */
  body(start: number, end: number): Uint8Array | ReadableStream<Uint8Array>
}

async function contentOf(source: BlobSource): Promise<Content> {
  if ('bytes' in source) {
    const bytes = source.bytes
    return { digest: digestOf(bytes), size: bytes.length, body: (s, e) => bytes.subarray(s, e) }
  }
  const path = source.path
  const known = source.digest && source.size !== undefined ? { digest: source.digest, size: source.size } : await digestFile(path)
  return {
    ...known,
    body: (s, e) =>
      e <= s ? new Uint8Array(0) : (Readable.toWeb(createReadStream(path, { start: s, end: e - 1, highWaterMark: 1 << 20 })) as ReadableStream<Uint8Array>)
  }
}

/** Append `digest=` to an upload location, keeping its own query (`_state=…`) byte for byte. */
export function withDigest(location: string, digest: string): string {
  const hash = location.indexOf('#')
  const base = hash >= 0 ? location.slice(0, hash) : location
  return `${base}${base.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`
}

interface Session {
  location: string
  chunkMin?: number
  /** the registry stored the blob from the POST itself (201): nothing more to send */
  done: boolean
}

/**
 * Start an upload session, or with `single` try the spec's single-request upload (POST `?digest=`
 * with the body): 201 means done; a registry that answers 202 instead (distribution 2.8 ignores the
 * body) has opened a session as usual.
 */
async function startSession(ctx: RepoContext, content: Content, single = false): Promise<Session> {
  const query = single ? `?digest=${encodeURIComponent(content.digest)}` : ''
  const reply = await ctx.transport.request({
    method: 'POST',
    url: v2(ctx, `blobs/uploads/${query}`),
    kind: 'blob.upload.start',
    headers: single ? { 'content-type': 'application/octet-stream', 'content-length': String(content.size) } : { 'content-length': '0' },
    body: () => (single ? content.body(0, content.size) : new Uint8Array(0)),
    access: 'push',
    // starting a session has no effect until it is completed
    idempotent: true,
    ok: [201, 202],
    ctx: errCtx(ctx, `start upload of blob ${content.digest}`, 'to')
  })
  if (reply.status === 201) return { location: '', done: true }
  const location = reply.headers.get('location')
  if (!location) {
    throw new OciError('INVALID_RESPONSE', `start upload of blob ${content.digest} to ${ctx.where}: the registry answered 202 without a Location`, {
      op: 'push blob',
      where: ctx.where
    })
  }
  const min = Number(reply.headers.get('oci-chunk-min-length') ?? NaN)
  return { location: new URL(location, reply.url).toString(), done: false, ...(Number.isFinite(min) && min > 0 ? { chunkMin: min } : {}) }
}

function checkAnswer(ctx: RepoContext, headers: Headers, digest: string): void {
  const answered = headers.get('docker-content-digest')?.trim()
  if (answered && answered !== digest && parseDigest(digest).algorithm === answered.split(':')[0]) {
    throw new OciError('DIGEST_MISMATCH', `push blob ${digest} to ${ctx.where}: the registry stored ${answered}`, { op: 'push blob', where: ctx.where })
  }
}

async function putMonolithic(ctx: RepoContext, content: Content, location: string): Promise<void> {
  const reply = await ctx.transport.request({
    method: 'PUT',
    url: withDigest(location, content.digest),
    kind: 'blob.upload.put',
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(content.size) },
    body: () => content.body(0, content.size),
    access: 'push',
    idempotent: false,
    ok: [201, 204],
    ctx: errCtx(ctx, `push blob ${content.digest}`, 'to')
  })
  checkAnswer(ctx, reply.headers, content.digest)
}

async function putChunked(ctx: RepoContext, content: Content, session: Session): Promise<void> {
  const chunk = Math.max(session.chunkMin ?? 0, DEFAULT_CHUNK_BYTES)
  let location = session.location
  for (let start = 0; start < content.size; start += chunk) {
    const end = Math.min(content.size, start + chunk)
    const reply = await ctx.transport.request({
      method: 'PATCH',
      url: location,
      kind: 'blob.upload.patch',
      headers: { 'content-type': 'application/octet-stream', 'content-range': `${start}-${end - 1}`, 'content-length': String(end - start) },
      body: () => content.body(start, end),
      access: 'push',
      idempotent: false,
      ok: [202],
      ctx: errCtx(ctx, `push blob ${content.digest} (bytes ${start}-${end - 1})`, 'to')
    })
    const next = reply.headers.get('location')
    if (next) location = new URL(next, reply.url).toString()
  }
  const reply = await ctx.transport.request({
    method: 'PUT',
    url: withDigest(location, content.digest),
    kind: 'blob.upload.put',
    headers: { 'content-length': '0' },
    body: () => new Uint8Array(0),
    access: 'push',
    idempotent: false,
    ok: [201, 204],
    ctx: errCtx(ctx, `push blob ${content.digest}`, 'to')
  })
  checkAnswer(ctx, reply.headers, content.digest)
}

/** Failures after which a new upload session may succeed. */
function sessionRetriable(e: unknown): boolean {
  return isTransient(e) || (isOciError(e) && (e.hasRegistryCode('BLOB_UPLOAD_UNKNOWN') || e.hasRegistryCode('BLOB_UPLOAD_INVALID')))
}

export async function pushBlob(ctx: RepoContext, source: BlobSource, opts: PushBlobOptions = {}): Promise<Descriptor> {
  const content = await contentOf(source)
  const descriptor: Descriptor = { mediaType: opts.mediaType ?? 'application/octet-stream', digest: content.digest, size: content.size }
  // A small blob costs no more to send than to ask about: skip the HEAD and send it in the POST.
  // Re-sending one that exists is harmless (content-addressed), and saves a round trip on every
  // fresh repository (the empty config of every artifact is such a blob).
  const small = 'bytes' in source && content.size <= SMALL_BLOB_BYTES
  if (!small && (await blobExists(ctx, content.digest, 'push'))) return descriptor
  let forceChunked = false
  for (let session = 0; ; session++) {
    try {
      const s = await startSession(ctx, content, small && !forceChunked)
      if (s.done) return descriptor
      if (forceChunked || s.chunkMin !== undefined) await putChunked(ctx, content, s)
      else {
        try {
          await putMonolithic(ctx, content, s.location)
        } catch (e) {
          if (!isOciError(e) || e.status === undefined || !MONOLITHIC_REFUSED.has(e.status)) throw e
          ctx.logger.debug(`monolithic upload refused (${e.status}); uploading ${content.digest} in chunks`)
          forceChunked = true
          await putChunked(ctx, content, await startSession(ctx, content))
        }
      }
      return descriptor
    } catch (e) {
      if (!sessionRetriable(e) || session + 1 >= MAX_UPLOAD_SESSIONS) throw e
      // the failed request may have completed on the server
      if (await blobExists(ctx, content.digest, 'push').catch(() => false)) return descriptor
      await ctx.transport.wait(
        backoffDelay(session),
        `upload of ${content.digest} failed (${(e as OciError).code}), starting a new session`,
        e as OciError,
        session + 1
      )
    }
  }
}
