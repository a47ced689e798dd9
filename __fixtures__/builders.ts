/**
 * The one place tests build OCI objects: bytes, manifests, indexes, artifacts and small images, and
 * push them through our client (any target: a registry, a layout) or put them straight into the
 * in-process registry's storage. Every builder returns the exact bytes with the descriptor naming
 * them, so nothing is serialised twice.
 * - An artifact "as attach writes it" is src's own buildArtifactManifest, never a copy of it.
 * - Another tool's manifest whose exact bytes matter (cosign's go-containerregistry field order,
 *   BuildKit's attestation entries, a deliberately malformed document) stays hand-shaped where the
 *   test models it: see __fixtures__/cosign.ts and __fixtures__/topology.ts.
 * https://github.com/opencontainers/image-spec/blob/v1.1.0/manifest.md
 */
import { type BuiltManifest, buildArtifactManifest } from '../src/attach/manifest.js'
import { digestOf } from '../src/oci/digest.js'
import { EMPTY_JSON, MediaType } from '../src/oci/media-types.js'
import { parseReference } from '../src/oci/reference.js'
import { RemoteTarget } from '../src/oci/remote/remote-target.js'
import type { Descriptor, ImageIndex, ImageManifest } from '../src/oci/types.js'

/** A value's UTF-8 bytes: a string as it is, anything else as its JSON. */
export function bytesOf(value: unknown): Uint8Array {
  return new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value))
}

/** Exact bytes and the descriptor that names them. */
export interface Built {
  bytes: Uint8Array
  descriptor: Descriptor
}

/** A blob: `content` as bytesOf makes them, described with `mediaType`. */
export function blob(content: unknown, mediaType = 'application/octet-stream'): Built {
  const bytes = content instanceof Uint8Array ? content : bytesOf(content)
  return { bytes, descriptor: { mediaType, digest: digestOf(bytes), size: bytes.length } }
}

/** The three fields a `subject` holds (a listing's artifactType and annotations are not the manifest's). */
function essentials(d: Pick<Descriptor, 'mediaType' | 'digest' | 'size'>): Descriptor {
  return { mediaType: d.mediaType, digest: d.digest, size: d.size }
}

export interface ManifestFields {
  config: Descriptor
  layers: Descriptor[]
  artifactType?: string
  subject?: Descriptor
  annotations?: Record<string, string>
  /** default: the OCI image manifest type; `null` leaves the field out */
  mediaType?: string | null
}

/** An image manifest, its fields in the image-spec's order (the order Go's structs write them in). */
export function imageManifest(f: ManifestFields): Built & { manifest: ImageManifest } {
  const manifest = {
    schemaVersion: 2,
    ...(f.mediaType === null ? {} : { mediaType: f.mediaType ?? MediaType.ImageManifest }),
    ...(f.artifactType !== undefined ? { artifactType: f.artifactType } : {}),
    config: f.config,
    layers: f.layers,
    ...(f.subject ? { subject: essentials(f.subject) } : {}),
    ...(f.annotations ? { annotations: f.annotations } : {})
  } as ImageManifest
  const bytes = bytesOf(manifest)
  return { bytes, manifest, descriptor: { mediaType: f.mediaType ?? MediaType.ImageManifest, digest: digestOf(bytes), size: bytes.length } }
}

/** An image index of `manifests` (platform entries, referrers: whatever descriptors are given). */
export function imageIndex(
  manifests: Descriptor[],
  f: { artifactType?: string; subject?: Descriptor; annotations?: Record<string, string>; mediaType?: string } = {}
): Built & { index: ImageIndex } {
  const index = {
    schemaVersion: 2,
    mediaType: f.mediaType ?? MediaType.ImageIndex,
    ...(f.artifactType !== undefined ? { artifactType: f.artifactType } : {}),
    manifests,
    ...(f.subject ? { subject: essentials(f.subject) } : {}),
    ...(f.annotations ? { annotations: f.annotations } : {})
  } as ImageIndex
  const bytes = bytesOf(index)
  return { bytes, index, descriptor: { mediaType: f.mediaType ?? MediaType.ImageIndex, digest: digestOf(bytes), size: bytes.length } }
}

/** An artifact manifest exactly as attach writes it (src/attach/manifest.ts): empty config, `subject`, sorted annotations. */
export function artifactManifest(subject: Descriptor, artifactType: string, annotations: Record<string, string> = {}, layers?: Descriptor[]): BuiltManifest {
  return buildArtifactManifest({ subject, artifactType, annotations, ...(layers ? { layers } : {}) })
}

/** A small single-platform image, the same bytes for the same seed: a config, one layer, the manifest. */
export interface TestImage {
  config: Built
  layer: Built
  manifest: Built
  /** config and layer, in push order */
  blobs: Built[]
}

export function testImage(seed: string, opts: { architecture?: string; annotations?: Record<string, string> } = {}): TestImage {
  const config = blob({ architecture: opts.architecture ?? 'amd64', os: 'linux', seed }, MediaType.ImageConfig)
  const layer = blob(`layer of ${seed}`, MediaType.LayerGzip)
  const manifest = imageManifest({ config: config.descriptor, layers: [layer.descriptor], ...(opts.annotations ? { annotations: opts.annotations } : {}) })
  return { config, layer, manifest, blobs: [config, layer] }
}

/** Where the pushers write: any target of ours (a registry through RemoteTarget, an OCI layout). */
export interface PushTarget {
  pushBlob(source: { bytes: Uint8Array }, opts?: { mediaType?: string }): Promise<Descriptor>
  pushManifest(bytes: Uint8Array, mediaType: string, tag?: string): Promise<{ descriptor: Descriptor; subjectAccepted?: boolean }>
}

/** Push a blob and a manifest's other blobs first, then the manifest. */
async function pushBuilt(t: PushTarget, blobs: Built[], manifest: Built, tag?: string): Promise<Descriptor> {
  for (const b of blobs) await t.pushBlob({ bytes: b.bytes }, { mediaType: b.descriptor.mediaType })
  return (await t.pushManifest(manifest.bytes, manifest.descriptor.mediaType, tag)).descriptor
}

/** Push testImage(seed) under `tag` (`latest` unless given, as `docker push` does); returns the manifest's descriptor. */
export async function pushImage(t: PushTarget, seed: string, tag = 'latest', opts: Parameters<typeof testImage>[1] = {}): Promise<Descriptor> {
  const img = testImage(seed, opts)
  return pushBuilt(t, img.blobs, img.manifest, tag)
}

/** Push an index of one testImage per architecture under `tag`; returns it and its platform entries. */
export async function pushIndex(
  t: PushTarget,
  seed: string,
  tag: string,
  architectures = ['amd64', 'arm64']
): Promise<{ index: Descriptor; platforms: Descriptor[] }> {
  const platforms: Descriptor[] = []
  for (const architecture of architectures) {
    const img = testImage(`${seed} ${architecture}`, { architecture })
    platforms.push({ ...(await pushBuilt(t, img.blobs, img.manifest)), platform: { os: 'linux', architecture } })
  }
  const index = await pushBuilt(t, [], imageIndex(platforms), tag)
  return { index, platforms }
}

/** Push an artifact as attach writes it (artifactManifest), with the empty blob it names. */
export async function pushArtifact(
  t: PushTarget,
  subject: Descriptor,
  artifactType: string,
  annotations: Record<string, string> = {}
): Promise<{ descriptor: Descriptor; subjectAccepted: boolean }> {
  await t.pushBlob({ bytes: EMPTY_JSON }, { mediaType: MediaType.Empty })
  const built = artifactManifest(subject, artifactType, annotations)
  const r = await t.pushManifest(built.bytes, MediaType.ImageManifest)
  return { descriptor: r.descriptor, subjectAccepted: r.subjectAccepted ?? false }
}

/** The in-process registry's storage, written directly (no HTTP, no validation). */
export interface RegistryStorage {
  putBlob(repo: string, bytes: Uint8Array): string
  putManifest(repo: string, bytes: Uint8Array, mediaType: string, tag?: string): string
}

/** testImage(seed) put straight into the in-process registry's `repo`; returns the manifest digest. */
export function storeImage(reg: RegistryStorage, repo: string, seed: string, tag?: string): string {
  const img = testImage(seed)
  for (const b of img.blobs) reg.putBlob(repo, b.bytes)
  return reg.putManifest(repo, img.manifest.bytes, img.manifest.descriptor.mediaType, tag)
}

/** Our client on `image` (`host/repo[:tag]`), with nothing from the environment but `env`. */
export function remote(image: string, env: NodeJS.ProcessEnv = {}): RemoteTarget {
  return new RemoteTarget(parseReference(image), { env })
}

/** pushImage at `host/repo:tag` through our client. */
export function pushTestImage(host: string, repo: string, tag: string, seed = tag): Promise<Descriptor> {
  return pushImage(remote(`${host}/${repo}:${tag}`), seed, tag)
}

/** pushIndex at `host/repo:tag` through our client. */
export function pushTestIndex(host: string, repo: string, tag: string): Promise<{ index: Descriptor; platforms: Descriptor[] }> {
  return pushIndex(remote(`${host}/${repo}:${tag}`), tag, tag)
}
