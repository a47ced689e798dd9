/**
 * The registry's state: repositories of blobs, manifests and tags, and upload sessions. Pure data,
 * no HTTP. Blob bytes are shared by digest; each repository holds its own set of digests, so a blob
 * is only visible where it was pushed (as in distribution).
 */
import { randomUUID } from 'node:crypto'
import { digestOf } from '../../src/oci/digest.js'

export interface StoredManifest {
  bytes: Uint8Array
  mediaType: string
  digest: string
  /** push order, for stable referrers pagination */
  seq: number
  /** parsed JSON, or undefined when the bytes are not a JSON object */
  parsed: ParsedManifestView | undefined
}

/** The few fields the registry reads from a manifest; the bytes stay the truth. */
export interface ParsedManifestView {
  mediaType?: string
  artifactType?: string
  config?: { mediaType?: string; digest?: string }
  layers?: Array<{ digest?: string }>
  manifests?: Array<{ digest?: string }>
  subject?: { digest?: string }
  annotations?: Record<string, string>
}

export interface Repository {
  blobs: Set<string>
  manifests: Map<string, StoredManifest>
  tags: Map<string, string>
}

export interface UploadSession {
  id: string
  repo: string
  chunks: Buffer[]
  size: number
  /** opaque value put in Location's `_state`, as distribution does, so clients must keep the query */
  state: string
}

/** Repository names as the distribution spec defines them. */
export const NAME_PATTERN = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/
export const TAG_PATTERN = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/
export const DIGEST_REF_PATTERN = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/

export function parseView(bytes: Uint8Array): ParsedManifestView | undefined {
  try {
    const v = JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as ParsedManifestView) : undefined
  } catch {
    return undefined
  }
}

export class Storage {
  readonly content = new Map<string, Uint8Array>()
  readonly repos = new Map<string, Repository>()
  readonly uploads = new Map<string, UploadSession>()
  private seq = 0

  ensureRepo(name: string): Repository {
    let r = this.repos.get(name)
    if (!r) {
      r = { blobs: new Set(), manifests: new Map(), tags: new Map() }
      this.repos.set(name, r)
    }
    return r
  }

  putBlob(repo: string, bytes: Uint8Array, digest = digestOf(bytes)): string {
    this.content.set(digest, new Uint8Array(bytes))
    this.ensureRepo(repo).blobs.add(digest)
    return digest
  }

  getBlob(repo: string, digest: string): Uint8Array | undefined {
    return this.repos.get(repo)?.blobs.has(digest) ? this.content.get(digest) : undefined
  }

  hasBlob(repo: string, digest: string): boolean {
    return this.repos.get(repo)?.blobs.has(digest) ?? false
  }

  putManifest(repo: string, bytes: Uint8Array, mediaType: string, tag?: string, digest = digestOf(bytes)): StoredManifest {
    const r = this.ensureRepo(repo)
    let m = r.manifests.get(digest)
    if (!m) {
      m = { bytes: new Uint8Array(bytes), mediaType, digest, seq: ++this.seq, parsed: parseView(bytes) }
      r.manifests.set(digest, m)
    } else {
      m.mediaType = mediaType
    }
    if (tag !== undefined) r.tags.set(tag, digest)
    return m
  }

  /** By tag or digest. */
  resolve(repo: string, ref: string): StoredManifest | undefined {
    const r = this.repos.get(repo)
    if (!r) return undefined
    const digest = ref.includes(':') ? ref : r.tags.get(ref)
    return digest === undefined ? undefined : r.manifests.get(digest)
  }

  /** Deleting by digest removes the manifest and every tag on it; by tag removes the tag only. */
  deleteManifest(repo: string, ref: string): boolean {
    const r = this.repos.get(repo)
    if (!r) return false
    if (!ref.includes(':')) return r.tags.delete(ref)
    if (!r.manifests.delete(ref)) return false
    for (const [t, d] of r.tags) if (d === ref) r.tags.delete(t)
    return true
  }

  tags(repo: string): string[] {
    return [...(this.repos.get(repo)?.tags.keys() ?? [])].sort()
  }

  /** Manifests in `repo` whose `subject` is `digest`, in push order. */
  referrersOf(repo: string, digest: string): StoredManifest[] {
    const r = this.repos.get(repo)
    if (!r) return []
    return [...r.manifests.values()].filter(m => m.parsed?.subject?.digest === digest).sort((a, b) => a.seq - b.seq)
  }

  startUpload(repo: string): UploadSession {
    const s: UploadSession = { id: randomUUID(), repo, chunks: [], size: 0, state: randomUUID().replace(/-/g, '') }
    this.uploads.set(s.id, s)
    return s
  }
}
