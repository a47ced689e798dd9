/**
 * GET /v2/<name>/referrers/<digest>: an image index of the manifests whose `subject` is <digest>.
 * https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#listing-referrers
 * Each descriptor carries the manifest's artifactType (else config.mediaType) and all its annotations,
 * unless the registry is told to be non-compliant (as go-containerregistry's registry does).
 */
import type { Storage, StoredManifest } from './storage.js'
import type { TestRegistryOptions } from './types.js'
import { json, type Reply } from './reply.js'

const INDEX = 'application/vnd.oci.image.index.v1+json'

export function referrerDescriptor(m: StoredManifest, nonCompliant: boolean): Record<string, unknown> {
  const d: Record<string, unknown> = { mediaType: m.mediaType, digest: m.digest, size: m.bytes.length }
  const v = m.parsed
  const artifactType = nonCompliant ? v?.config?.mediaType : (v?.artifactType ?? v?.config?.mediaType)
  if (artifactType) d.artifactType = artifactType
  if (!nonCompliant && v?.annotations && Object.keys(v.annotations).length) d.annotations = { ...v.annotations }
  return d
}

/** Opaque cursor: the push sequence number of the last descriptor served. */
function encodeCursor(seq: number): string {
  return Buffer.from(`seq:${seq}`).toString('base64url')
}
function decodeCursor(s: string): number | undefined {
  const m = /^seq:(\d+)$/.exec(Buffer.from(s, 'base64url').toString('utf8'))
  return m ? Number(m[1]) : undefined
}

/** `indexed`: what a registry's own referrers index holds (fault mode racyReferrersIndex); else every manifest with the subject. */
export function listReferrers(
  storage: Storage,
  opts: TestRegistryOptions,
  repo: string,
  digest: string,
  query: URLSearchParams,
  basePath: string,
  indexed?: Set<string>
): Reply {
  const honourFilter = opts.honourArtifactTypeFilter ?? true
  const nonCompliant = opts.nonCompliantReferrers ?? false
  const pageSize = opts.referrersPageSize ?? 0
  const filter = honourFilter ? query.get('artifactType') : null

  let all = storage.referrersOf(repo, digest)
  if (indexed) all = all.filter(m => indexed.has(m.digest))
  if (filter !== null) {
    // the filter applies to what the descriptor reports, as a client would see it
    all = all.filter(m => referrerDescriptor(m, nonCompliant).artifactType === filter)
  }
  const cursor = query.get('next')
  if (cursor !== null) {
    const after = decodeCursor(cursor)
    if (after === undefined) return json(400, { errors: [{ code: 'UNSUPPORTED', message: `invalid cursor "${cursor}"` }] })
    all = all.filter(m => m.seq > after)
  }
  const page = pageSize > 0 ? all.slice(0, pageSize) : all
  const headers: Record<string, string> = { 'Content-Type': INDEX }
  if (filter !== null) headers['OCI-Filters-Applied'] = 'artifactType'
  if (pageSize > 0 && all.length > page.length) {
    const next = new URLSearchParams()
    if (filter !== null) next.set('artifactType', filter)
    next.set('next', encodeCursor((page[page.length - 1] as StoredManifest).seq))
    headers.Link = `<${basePath}?${next.toString()}>; rel=${opts.unquotedLinkRel ? 'next' : '"next"'}`
  }
  const body = { schemaVersion: 2, mediaType: INDEX, manifests: page.map(m => referrerDescriptor(m, nonCompliant)) }
  return json(200, body, headers)
}
