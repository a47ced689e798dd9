/**
 * The distribution API's routes over Storage: blobs, uploads, manifests, referrers: what a client of
 * ours, or another tool the tests run, sends. No tags/list, no cross-repository mount, no If-Match:
 * nothing the tests run uses them.
 * https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md
 * Each handler returns a Reply; server.ts does auth, faults and the wire.
 */
import type { IncomingMessage } from 'node:http'
import { digestOf, parseDigest } from '../../src/oci/digest.js'
import { DIGEST_REF_PATTERN, NAME_PATTERN, TAG_PATTERN, type Storage } from './storage.js'
import { listReferrers } from './referrers.js'
import { empty, json, readBody, specError, type Reply } from './reply.js'
import type { TestRegistryOptions } from './types.js'
import type { Action } from './auth.js'
import type { RacyReferrersIndex } from './referrers-index.js'

export const DEFAULT_MAX_MANIFEST_BYTES = 4 * 1024 * 1024

const MANIFEST_TYPES = new Set([
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json'
])
const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'])

export type RouteKind = 'base' | 'manifest' | 'uploads' | 'upload' | 'blob' | 'referrers'

export interface Route {
  kind: RouteKind
  repo: string
  /** tag/digest, upload id, or blob/subject digest */
  ref: string
}

const ROUTES: Array<[RouteKind, RegExp]> = [
  ['manifest', /^\/v2\/(.+)\/manifests\/([^/]+)$/],
  ['uploads', /^\/v2\/(.+)\/blobs\/uploads\/?()$/],
  ['upload', /^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/],
  ['blob', /^\/v2\/(.+)\/blobs\/([^/]+)$/],
  ['referrers', /^\/v2\/(.+)\/referrers\/([^/]+)$/]
]

export function route(path: string): Route | undefined {
  if (path === '/v2/' || path === '/v2') return { kind: 'base', repo: '', ref: '' }
  for (const [kind, re] of ROUTES) {
    const m = re.exec(path)
    if (m) return { kind, repo: m[1] as string, ref: m[2] as string }
  }
  return undefined
}

/** The action a request needs: reads pull, everything else pushes. */
export function actionOf(method: string): Action {
  return method === 'GET' || method === 'HEAD' ? 'pull' : 'push'
}

export interface Ctx {
  req: IncomingMessage
  method: string
  path: string
  query: URLSearchParams
  route: Route
  /** the absolute URL of the blob redirect target for a digest, when blob redirects are on */
  redirectUrl?: (digest: string) => string
}

function notFound(): Reply {
  return { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: new TextEncoder().encode('404 page not found\n') }
}

function methodNotAllowed(): Reply {
  return specError(405, 'UNSUPPORTED', 'the operation is unsupported')
}

function validDigest(d: string): boolean {
  try {
    parseDigest(d)
    return true
  } catch {
    return false
  }
}

function uploadLocation(repo: string, id: string, state: string): string {
  return `/v2/${repo}/blobs/uploads/${id}?_state=${state}`
}

function contentRange(size: number): string {
  return `0-${Math.max(size - 1, 0)}`
}

export class Handlers {
  constructor(
    private readonly storage: Storage,
    private readonly opts: TestRegistryOptions,
    /** the racy referrers index of fault mode `racyReferrersIndex`, when on */
    private readonly racy?: RacyReferrersIndex
  ) {}

  async handle(ctx: Ctx): Promise<Reply> {
    const { route: r, method } = ctx
    if (r.kind === 'base') return method === 'GET' || method === 'HEAD' ? json(200, {}) : methodNotAllowed()
    if (!NAME_PATTERN.test(r.repo) || r.repo.length > 255) return specError(400, 'NAME_INVALID', `invalid repository name "${r.repo}"`)
    switch (r.kind) {
      case 'manifest':
        if (method === 'GET' || method === 'HEAD') return this.getManifest(ctx)
        if (method === 'PUT') return this.putManifest(ctx)
        if (method === 'DELETE') return this.deleteManifest(ctx)
        return methodNotAllowed()
      case 'uploads':
        return method === 'POST' ? this.startUpload(ctx) : methodNotAllowed()
      case 'upload':
        if (method === 'PATCH') return this.patchUpload(ctx)
        if (method === 'PUT') return this.putUpload(ctx)
        if (method === 'GET') return this.uploadStatus(ctx)
        return methodNotAllowed()
      case 'blob':
        return method === 'GET' || method === 'HEAD' ? this.getBlob(ctx) : methodNotAllowed()
      case 'referrers':
        if (!(this.opts.referrersApi ?? true)) return notFound()
        if (method !== 'GET') return methodNotAllowed()
        if (!validDigest(r.ref)) return specError(400, 'DIGEST_INVALID', `invalid digest "${r.ref}"`)
        return listReferrers(this.storage, this.opts, r.repo, r.ref, ctx.query, ctx.path, this.racy?.listed(r.repo, r.ref))
    }
  }

  // ---- manifests ----
  private getManifest(ctx: Ctx): Reply {
    const { repo, ref } = ctx.route
    const m = this.storage.resolve(repo, ref)
    if (!m) return specError(404, 'MANIFEST_UNKNOWN', `manifest unknown: ${repo}:${ref}`, { Tag: ref })
    return {
      status: 200,
      headers: { 'Content-Type': m.mediaType, 'Docker-Content-Digest': m.digest, ETag: `"${m.digest}"` },
      body: m.bytes
    }
  }

  private async putManifest(ctx: Ctx): Promise<Reply> {
    const { repo, ref } = ctx.route
    const bytes = await readBody(ctx.req)
    const max = this.opts.maxManifestBytes ?? DEFAULT_MAX_MANIFEST_BYTES
    if (bytes.length > max) return specError(400, 'MANIFEST_INVALID', `manifest invalid: payload of ${bytes.length} bytes exceeds the limit of ${max}`)

    const isDigestRef = ref.includes(':')
    if (isDigestRef) {
      if (!DIGEST_REF_PATTERN.test(ref) || !validDigest(ref)) return specError(400, 'DIGEST_INVALID', `invalid digest "${ref}"`)
      const actual = digestOf(bytes, parseDigest(ref).algorithm)
      if (actual !== ref) return specError(400, 'DIGEST_INVALID', `provided digest did not match uploaded content: ${ref} != ${actual}`, { digest: ref })
    } else if (!TAG_PATTERN.test(ref)) {
      return specError(400, 'MANIFEST_INVALID', `invalid tag "${ref}"`)
    }

    let parsed: Record<string, unknown>
    try {
      const v = JSON.parse(bytes.toString('utf8')) as unknown
      if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object')
      parsed = v as Record<string, unknown>
    } catch {
      return specError(400, 'MANIFEST_INVALID', 'manifest invalid: not a JSON object')
    }
    const headerType = (ctx.req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? ''
    const fieldType = typeof parsed.mediaType === 'string' ? parsed.mediaType : undefined
    const mediaType = headerType || fieldType || ''
    if (!MANIFEST_TYPES.has(mediaType)) return specError(400, 'MANIFEST_INVALID', `manifest invalid: unsupported media type "${mediaType}"`)
    if (fieldType !== undefined && fieldType !== mediaType) {
      return specError(400, 'MANIFEST_INVALID', `manifest invalid: mediaType "${fieldType}" does not match Content-Type "${mediaType}"`)
    }
    if (parsed.schemaVersion !== 2) return specError(400, 'MANIFEST_INVALID', 'manifest invalid: schemaVersion must be 2')

    // every referenced blob (config, layers) or manifest (index children) must exist; subject need not
    const missing: string[] = []
    const descs = (v: unknown): Array<{ digest?: unknown }> => (Array.isArray(v) ? (v as Array<{ digest?: unknown }>) : [])
    if (INDEX_TYPES.has(mediaType)) {
      if (!Array.isArray(parsed.manifests)) return specError(400, 'MANIFEST_INVALID', 'manifest invalid: manifests must be an array')
      for (const d of descs(parsed.manifests)) {
        if (typeof d.digest !== 'string' || !this.storage.resolve(repo, d.digest)) missing.push(String(d.digest))
      }
    } else {
      const config = parsed.config as { digest?: unknown } | undefined
      if (!config || typeof config !== 'object' || !Array.isArray(parsed.layers)) {
        return specError(400, 'MANIFEST_INVALID', 'manifest invalid: config and layers are required')
      }
      for (const d of [config, ...descs(parsed.layers)]) {
        if (typeof d.digest !== 'string' || !this.storage.hasBlob(repo, d.digest)) missing.push(String(d.digest))
      }
    }
    if (missing.length) {
      return json(400, { errors: missing.map(digest => ({ code: 'MANIFEST_BLOB_UNKNOWN', message: 'blob unknown to registry', detail: { digest } })) })
    }

    const stored = this.storage.putManifest(repo, bytes, mediaType, isDigestRef ? undefined : ref)
    const headers: Record<string, string> = { Location: `/v2/${repo}/manifests/${stored.digest}`, 'Docker-Content-Digest': stored.digest }
    const subject = (parsed.subject as { digest?: unknown } | undefined)?.digest
    // answered only once the index is written, as a registry that updates it inside the PUT does
    if (this.racy && typeof subject === 'string') await this.racy.add(repo, subject, stored.digest)
    const subjectHeader = this.opts.subjectHeader ?? this.opts.referrersApi ?? true
    if (subjectHeader && typeof subject === 'string') headers['OCI-Subject'] = subject
    return empty(201, headers)
  }

  private deleteManifest(ctx: Ctx): Reply {
    const { repo, ref } = ctx.route
    if (!this.storage.deleteManifest(repo, ref)) return specError(404, 'MANIFEST_UNKNOWN', `manifest unknown: ${repo}:${ref}`)
    if (ref.includes(':')) this.racy?.remove(repo, ref)
    return empty(202)
  }

  // ---- blobs ----
  private getBlob(ctx: Ctx): Reply {
    const { repo, ref } = ctx.route
    const bytes = this.storage.getBlob(repo, ref)
    if (!bytes) return specError(404, 'BLOB_UNKNOWN', `blob unknown to registry: ${ref}`, { digest: ref })
    if (ctx.method === 'GET' && ctx.redirectUrl) return empty(307, { Location: ctx.redirectUrl(ref), 'Docker-Content-Digest': ref })
    return { status: 200, headers: { 'Content-Type': 'application/octet-stream', 'Docker-Content-Digest': ref, ETag: `"${ref}"` }, body: bytes }
  }

  // ---- uploads ----
  private blobCreated(repo: string, digest: string): Reply {
    return empty(201, { Location: `/v2/${repo}/blobs/${digest}`, 'Docker-Content-Digest': digest })
  }

  private async startUpload(ctx: Ctx): Promise<Reply> {
    const { repo } = ctx.route
    const digest = ctx.query.get('digest')
    if (digest !== null) {
      // monolithic upload in one POST
      const body = await readBody(ctx.req)
      const err = this.checkDigest(digest, body)
      if (err) return err
      this.storage.putBlob(repo, body, digest)
      return this.blobCreated(repo, digest)
    }
    const s = this.storage.startUpload(repo)
    return empty(202, { Location: uploadLocation(repo, s.id, s.state), 'Docker-Upload-UUID': s.id, Range: '0-0' })
  }

  private checkDigest(digest: string, body: Uint8Array): Reply | undefined {
    if (!validDigest(digest)) return specError(400, 'DIGEST_INVALID', `invalid digest "${digest}"`, { digest })
    const actual = digestOf(body, parseDigest(digest).algorithm)
    if (actual !== digest) return specError(400, 'DIGEST_INVALID', `provided digest did not match uploaded content: ${digest} != ${actual}`, { digest })
    return undefined
  }

  private session(ctx: Ctx) {
    const s = this.storage.uploads.get(ctx.route.ref)
    return s && s.repo === ctx.route.repo ? s : undefined
  }

  private uploadUnknown(ctx: Ctx): Reply {
    return specError(404, 'BLOB_UPLOAD_UNKNOWN', `blob upload unknown to registry: ${ctx.route.ref}`)
  }

  private async patchUpload(ctx: Ctx): Promise<Reply> {
    const s = this.session(ctx)
    if (!s) {
      await readBody(ctx.req)
      return this.uploadUnknown(ctx)
    }
    const range = ctx.req.headers['content-range']
    const body = await readBody(ctx.req)
    if (range !== undefined) {
      const m = /^(?:bytes[ =])?(\d+)-(\d+)$/.exec(range.trim())
      const start = m ? Number(m[1]) : NaN
      const end = m ? Number(m[2]) : NaN
      if (!m || start !== s.size || end - start + 1 !== body.length) {
        return specError(416, 'BLOB_UPLOAD_INVALID', `chunk ${range} does not follow ${s.size} bytes received`, undefined, {
          Location: uploadLocation(s.repo, s.id, s.state),
          Range: contentRange(s.size),
          'Docker-Upload-UUID': s.id
        })
      }
    }
    s.chunks.push(body)
    s.size += body.length
    return empty(202, { Location: uploadLocation(s.repo, s.id, s.state), Range: contentRange(s.size), 'Docker-Upload-UUID': s.id })
  }

  private uploadStatus(ctx: Ctx): Reply {
    const s = this.session(ctx)
    if (!s) return this.uploadUnknown(ctx)
    return empty(204, { Location: uploadLocation(s.repo, s.id, s.state), Range: contentRange(s.size), 'Docker-Upload-UUID': s.id })
  }

  private async putUpload(ctx: Ctx): Promise<Reply> {
    const s = this.session(ctx)
    const body = await readBody(ctx.req)
    if (!s) return this.uploadUnknown(ctx)
    const digest = ctx.query.get('digest')
    if (digest === null) return specError(400, 'DIGEST_INVALID', 'the digest query parameter is required to complete an upload')
    const all = Buffer.concat([...s.chunks, body])
    const err = this.checkDigest(digest, all)
    if (err) return err
    this.storage.uploads.delete(s.id)
    this.storage.putBlob(s.repo, all, digest)
    return this.blobCreated(s.repo, digest)
  }
}
