/**
 * Manifests: HEAD, GET (verified against the digest), PUT of the exact bytes.
 * https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#pulling-manifests
 * https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#pushing-manifests
 */
import { MAX_MANIFEST_BYTES } from '../limits.js'
import { isBlobLinkRace, OciError } from '../../errors.js'
import { backoffDelay } from '../../backoff.js'
import { digestOf, isDigest, parseDigest, verifyBytes } from '../digest.js'
import { MANIFEST_ACCEPT, MANIFEST_MEDIA_TYPES, MediaType } from '../media-types.js'
import type { PushManifestResult } from '../target.js'
import { declaredMediaType, type Descriptor, type ManifestBlob } from '../types.js'
import { errCtx, v2, type RepoContext } from './repo-context.js'

/** Retries of a by-digest manifest PUT refused while its blobs are being linked by another client. */
export const BLOB_RACE_RETRIES = 3

function mediaTypeOf(contentType: string | null, bytes?: Uint8Array): string {
  const ct = contentType?.split(';')[0]?.trim()
  if (ct && (MANIFEST_MEDIA_TYPES.includes(ct) || ct === MediaType.LegacyArtifactManifest)) return ct
  if (bytes) {
    try {
      return declaredMediaType(JSON.parse(new TextDecoder().decode(bytes)))
    } catch {
      // not JSON: the caller's parser reports it
    }
  }
  return ct || MediaType.ImageManifest
}

/** A `Docker-Content-Digest` header, when it is a well-formed digest. */
function headerDigest(headers: Headers): string | undefined {
  const d = headers.get('docker-content-digest')?.trim()
  return d && isDigest(d) ? d : undefined
}

function tooLarge(ctx: RepoContext, op: string, size?: number): OciError {
  const what = size === undefined ? 'manifest' : `manifest of ${size} bytes`
  return new OciError('SIZE_EXCEEDED', `${op} in ${ctx.where}: ${what} is over the ${MAX_MANIFEST_BYTES}-byte limit of the distribution spec`, {
    op,
    where: ctx.where,
    hint: 'keep manifests under 4 MiB: move large data into a blob layer'
  })
}

/**
 * GET a manifest by tag, digest or descriptor: at most 4 MiB, verified against the digest asked
 * for, or (by tag) digested here and checked against `Docker-Content-Digest` — the header is a hint,
 * the bytes are the truth (image-spec v1.1.0, descriptor.md#digests).
 */
export async function fetchManifest(ctx: RepoContext, reference: string | Descriptor): Promise<ManifestBlob> {
  const ref = typeof reference === 'string' ? reference : reference.digest
  const want = typeof reference === 'string' ? (isDigest(reference) ? reference : undefined) : reference.digest
  const op = `fetch manifest ${ref}`
  if (typeof reference !== 'string' && reference.size > MAX_MANIFEST_BYTES) throw tooLarge(ctx, op, reference.size)
  const accept =
    typeof reference !== 'string' && !MANIFEST_ACCEPT.includes(reference.mediaType) ? `${reference.mediaType}, ${MANIFEST_ACCEPT}` : MANIFEST_ACCEPT
  const reply = await ctx.transport
    .request({
      method: 'GET',
      url: v2(ctx, `manifests/${ref}`),
      kind: 'manifest.get',
      headers: { accept },
      access: 'pull',
      idempotent: true,
      ok: [200],
      readBody: MAX_MANIFEST_BYTES,
      ctx: errCtx(ctx, op, 'from')
    })
    .catch(e => {
      if (e instanceof OciError && e.code === 'SIZE_EXCEEDED' && e.status === 200) throw tooLarge(ctx, op)
      throw e
    })
  const bytes = reply.body
  const hinted = headerDigest(reply.headers)
  let digest: string
  if (want) {
    verifyBytes(bytes, want, `${op} from ${ctx.where}`)
    digest = want
  } else {
    const algorithm = hinted ? parseDigest(hinted).algorithm : 'sha256'
    digest = digestOf(bytes, algorithm)
    if (hinted && hinted !== digest) {
      throw new OciError(
        'DIGEST_MISMATCH',
        `${op} from ${ctx.where}: content does not match the registry's Docker-Content-Digest (header ${hinted}, content ${digest})`,
        {
          op,
          where: ctx.where,
          hint: 'the registry returned other bytes than it claims; do not trust this content'
        }
      )
    }
  }
  if (typeof reference !== 'string' && reference.size !== bytes.length) {
    throw new OciError('DIGEST_MISMATCH', `${op} from ${ctx.where}: ${bytes.length} bytes, the descriptor says ${reference.size}`, {
      op,
      where: ctx.where,
      hint: 'the descriptor that names it is wrong; do not trust this content'
    })
  }
  return { descriptor: { mediaType: mediaTypeOf(reply.headers.get('content-type'), bytes), digest, size: bytes.length }, bytes }
}

export async function manifestExists(ctx: RepoContext, digest: string): Promise<boolean> {
  parseDigest(digest)
  const reply = await ctx.transport.request({
    method: 'HEAD',
    url: v2(ctx, `manifests/${digest}`),
    kind: 'manifest.head',
    headers: { accept: MANIFEST_ACCEPT },
    access: 'pull',
    idempotent: true,
    ok: [200, 404],
    ctx: errCtx(ctx, `check manifest ${digest}`, 'in')
  })
  return reply.status === 200
}

/** `subject.digest` of manifest bytes, read leniently (the bytes are ours and were validated upstream). */
function subjectDigestOf(bytes: Uint8Array): string | undefined {
  try {
    const json = JSON.parse(new TextDecoder().decode(bytes)) as { subject?: { digest?: unknown } }
    return typeof json.subject?.digest === 'string' ? json.subject.digest : undefined
  } catch {
    return undefined
  }
}

/**
 * PUT the exact bytes under `tag`, or under their digest. Refuses more than 4 MiB before sending.
 * `subjectAccepted` when the registry answered `OCI-Subject` with the manifest's subject.
 */
export async function pushManifest(ctx: RepoContext, bytes: Uint8Array, mediaType: string, tag?: string): Promise<PushManifestResult> {
  const digest = digestOf(bytes)
  const reference = tag ?? digest
  const op = `push manifest ${reference}`
  if (bytes.length > MAX_MANIFEST_BYTES) throw tooLarge(ctx, op, bytes.length)
  const put = () =>
    ctx.transport.request({
      method: 'PUT',
      url: v2(ctx, `manifests/${reference}`),
      kind: 'manifest.put',
      headers: { 'content-type': mediaType, 'content-length': String(bytes.length) },
      body: () => bytes,
      access: 'push',
      // by digest, repeating it changes nothing; a tag may have moved meanwhile (another writer of a
      // referrers index), so a tag PUT is not resent blindly: the caller re-reads and merges
      idempotent: tag === undefined,
      ok: [200, 201, 202],
      ctx: errCtx(ctx, `push manifest ${reference}`, 'to')
    })
  // Distribution answers 400 MANIFEST_BLOB_UNKNOWN or DIGEST_INVALID to a manifest whose blob another
  // client is uploading (linking) at that moment: by digest, a few spaced retries are safe.
  let reply: Awaited<ReturnType<typeof put>>
  for (let attempt = 0; ; attempt++) {
    try {
      reply = await put()
      break
    } catch (e) {
      const racing = e instanceof OciError && e.status === 400 && isBlobLinkRace(e)
      if (!racing || tag !== undefined || attempt >= BLOB_RACE_RETRIES) throw e
      await ctx.transport.wait(backoffDelay(attempt, { baseMs: 400 }), `${op}: ${e.registryErrors[0]?.code} while blobs may still be linking`, e, attempt + 1)
    }
  }
  const answered = headerDigest(reply.headers)
  if (answered && answered !== digest && parseDigest(answered).algorithm === 'sha256') {
    throw new OciError('DIGEST_MISMATCH', `${op} to ${ctx.where}: the registry stored ${answered}, the bytes sent are ${digest}`, {
      op,
      where: ctx.where,
      hint: 'the registry re-encoded the manifest; its digest cannot be relied on'
    })
  }
  const subject = subjectDigestOf(bytes)
  const ociSubject = reply.headers.get('oci-subject')?.trim()
  return {
    descriptor: { mediaType, digest, size: bytes.length },
    subjectAccepted: Boolean(subject && ociSubject && ociSubject === subject)
  }
}

/** DELETE by digest (distribution refuses deletes by tag). */
export async function deleteManifest(ctx: RepoContext, digest: string): Promise<void> {
  parseDigest(digest)
  await ctx.transport.request({
    method: 'DELETE',
    url: v2(ctx, `manifests/${digest}`),
    kind: 'manifest.delete',
    access: 'push',
    idempotent: true,
    ok: [200, 202, 404],
    ctx: errCtx(ctx, `delete manifest ${digest}`, 'in')
  })
}
