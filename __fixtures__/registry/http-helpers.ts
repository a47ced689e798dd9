/**
 * A raw HTTP client for the registry's own tests (and the few that arrange with nothing of ours in
 * between): plain fetch, no retries, no auth handling. The manifests come from __fixtures__/builders.ts.
 */
import { digestOf } from '../../src/oci/digest.js'
import { MediaType } from '../../src/oci/media-types.js'
import { blob, bytesOf, imageManifest, testImage } from '../builders.js'

export async function pushBlob(base: string, repo: string, bytes: Uint8Array, headers: Record<string, string> = {}): Promise<string> {
  const digest = digestOf(bytes)
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

/** PUT `manifest` (serialised once, here) by `ref`, or by its digest. */
export async function putManifest(
  base: string,
  repo: string,
  ref: string | undefined,
  manifest: unknown,
  mediaType: string = MediaType.ImageManifest,
  headers: Record<string, string> = {}
): Promise<Pushed> {
  const bytes = bytesOf(manifest)
  const digest = digestOf(bytes)
  const r = await fetch(`${base}/v2/${repo}/manifests/${ref ?? digest}`, {
    method: 'PUT',
    headers: { 'Content-Type': mediaType, ...headers },
    body: bytes
  })
  await r.arrayBuffer()
  return { digest, bytes, status: r.status, headers: r.headers }
}

/** testImage(seed): its blobs pushed first, then the manifest under `tag`. */
export async function pushImage(
  base: string,
  repo: string,
  tag: string,
  seed = tag,
  headers: Record<string, string> = {}
): Promise<Pushed & { manifest: Record<string, unknown> }> {
  const img = testImage(seed)
  for (const b of img.blobs) await pushBlob(base, repo, b.bytes, headers)
  const manifest = JSON.parse(new TextDecoder().decode(img.manifest.bytes)) as Record<string, unknown>
  const p = await putManifest(base, repo, tag, manifest, MediaType.ImageManifest, headers)
  if (p.status !== 201) throw new Error(`push image: ${p.status}`)
  return { ...p, manifest }
}

/**
 * A referrer as another tool writes one: `artifactType` only when given (else the config's media type
 * stands for it), the empty layer, a `seed` annotation that makes each one distinct.
 */
export async function pushReferrer(
  base: string,
  repo: string,
  subject: { digest: string; size: number },
  opts: { artifactType?: string; configMediaType?: string; annotations?: Record<string, string>; seed?: string } = {},
  headers: Record<string, string> = {}
): Promise<Pushed & { manifest: Record<string, unknown> }> {
  const configMediaType = opts.configMediaType ?? MediaType.Empty
  const config = blob(configMediaType === MediaType.Empty ? '{}' : { seed: opts.seed ?? '' }, configMediaType)
  const empty = blob('{}', MediaType.Empty)
  await pushBlob(base, repo, config.bytes, headers)
  await pushBlob(base, repo, empty.bytes, headers)
  const { manifest } = imageManifest({
    ...(opts.artifactType ? { artifactType: opts.artifactType } : {}),
    config: config.descriptor,
    layers: [empty.descriptor],
    subject: { mediaType: MediaType.ImageManifest, digest: subject.digest, size: subject.size },
    annotations: { 'org.example.seed': opts.seed ?? 'x', ...(opts.annotations ?? {}) }
  })
  const p = await putManifest(base, repo, undefined, manifest, MediaType.ImageManifest, headers)
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
