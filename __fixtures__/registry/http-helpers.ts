/** Helpers for tests that talk to a registry over HTTP with fetch (used by the registry's own tests). */
import { createHash } from 'node:crypto'

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json'
export const EMPTY = 'application/vnd.oci.empty.v1+json'

export function sha256(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s)

export async function pushBlob(base: string, repo: string, bytes: Uint8Array, headers: Record<string, string> = {}): Promise<string> {
  const digest = sha256(bytes)
  const r = await fetch(`${base}/v2/${repo}/blobs/uploads/?digest=${digest}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/octet-stream', ...headers },
    body: bytes
  })
  if (r.status !== 201) throw new Error(`push blob: ${r.status} ${await r.text()}`)
  return digest
}

export interface Pushed {
  digest: string
  bytes: Uint8Array
  status: number
  headers: Headers
}

export async function putManifest(
  base: string,
  repo: string,
  ref: string | undefined,
  manifest: unknown,
  mediaType = OCI_MANIFEST,
  headers: Record<string, string> = {}
): Promise<Pushed> {
  const bytes = enc(JSON.stringify(manifest))
  const digest = sha256(bytes)
  const r = await fetch(`${base}/v2/${repo}/manifests/${ref ?? digest}`, {
    method: 'PUT',
    headers: { 'Content-Type': mediaType, ...headers },
    body: bytes
  })
  await r.arrayBuffer()
  return { digest, bytes, status: r.status, headers: r.headers }
}

/** An image manifest whose config and layer blobs are pushed first. */
export async function pushImage(
  base: string,
  repo: string,
  tag: string,
  seed = tag,
  headers: Record<string, string> = {}
): Promise<Pushed & { manifest: Record<string, unknown> }> {
  const config = enc(JSON.stringify({ architecture: 'amd64', os: 'linux', seed }))
  const layer = enc(`layer of ${seed}`)
  const configDigest = await pushBlob(base, repo, config, headers)
  const layerDigest = await pushBlob(base, repo, layer, headers)
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: configDigest, size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layer.length }]
  }
  const p = await putManifest(base, repo, tag, manifest, OCI_MANIFEST, headers)
  if (p.status !== 201) throw new Error(`push image: ${p.status}`)
  return { ...p, manifest }
}

/** An artifact manifest (empty config) referring to `subject`. */
export async function pushReferrer(
  base: string,
  repo: string,
  subject: { digest: string; size: number },
  opts: { artifactType?: string; configMediaType?: string; annotations?: Record<string, string>; seed?: string } = {},
  headers: Record<string, string> = {}
): Promise<Pushed & { manifest: Record<string, unknown> }> {
  const configMediaType = opts.configMediaType ?? EMPTY
  const config = enc(configMediaType === EMPTY ? '{}' : JSON.stringify({ seed: opts.seed ?? '' }))
  const configDigest = await pushBlob(base, repo, config, headers)
  const manifest: Record<string, unknown> = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    ...(opts.artifactType ? { artifactType: opts.artifactType } : {}),
    config: { mediaType: configMediaType, digest: configDigest, size: config.length },
    layers: [{ mediaType: EMPTY, digest: sha256('{}'), size: 2 }],
    subject: { mediaType: OCI_MANIFEST, digest: subject.digest, size: subject.size },
    annotations: { 'org.example.seed': opts.seed ?? 'x', ...(opts.annotations ?? {}) }
  }
  await pushBlob(base, repo, enc('{}'), headers)
  const p = await putManifest(base, repo, undefined, manifest, OCI_MANIFEST, headers)
  if (p.status !== 201) throw new Error(`push referrer: ${p.status}`)
  return { ...p, manifest }
}

export async function errorCodes(r: Response): Promise<string[]> {
  const body = (await r.json()) as { errors?: Array<{ code: string }> }
  return (body.errors ?? []).map(e => e.code)
}

export function basic(user: string, pass: string): string {
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`
}

/** Parse `<url>; rel="next"` (quoted or not) into the next URL resolved against `base`. */
export function nextLink(r: Response, base: string): string | undefined {
  const link = r.headers.get('link')
  if (!link) return undefined
  const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(link)
  return m ? new URL(m[1] as string, base).toString() : undefined
}
