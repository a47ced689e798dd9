/** Small builders shared by the remote client's integration tests. */
import { digestOf } from '../../../src/oci/digest.js'
import { EMPTY_DESCRIPTOR, EMPTY_JSON, MediaType } from '../../../src/oci/media-types.js'
import { parseReference } from '../../../src/oci/reference.js'
import type { Descriptor } from '../../../src/oci/types.js'
import { RemoteTarget, type RemoteOptions } from '../../../src/oci/remote/index.js'

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s)

export function target(host: string, repo: string, opts: RemoteOptions = {}): RemoteTarget {
  return new RemoteTarget(parseReference(`${host}/${repo}:latest`), { retries: 3, backoffBaseMs: 5, timeoutMs: 10_000, env: {}, ...opts })
}

/** A tiny image: config + one layer + manifest bytes. */
export function image(seed: string): { config: Uint8Array; layer: Uint8Array; manifest: Uint8Array; digest: string } {
  const config = enc(JSON.stringify({ architecture: 'amd64', os: 'linux', seed }))
  const layer = enc(`layer ${seed}`)
  const manifest = enc(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.ImageManifest,
      config: { mediaType: MediaType.ImageConfig, digest: digestOf(config), size: config.length },
      layers: [{ mediaType: MediaType.LayerGzip, digest: digestOf(layer), size: layer.length }]
    })
  )
  return { config, layer, manifest, digest: digestOf(manifest) }
}

/** Push the image's blobs and manifest under `tag`; returns its descriptor. */
export async function pushImage(t: RemoteTarget, seed: string, tag = 'latest'): Promise<Descriptor> {
  const img = image(seed)
  await t.pushBlob({ bytes: img.config }, { mediaType: MediaType.ImageConfig })
  await t.pushBlob({ bytes: img.layer }, { mediaType: MediaType.LayerGzip })
  const r = await t.pushManifest(img.manifest, MediaType.ImageManifest, tag)
  return r.descriptor
}

/** An artifact manifest referring to `subject`. */
export function artifact(subject: Descriptor, artifactType: string, annotations: Record<string, string> = {}): Uint8Array {
  return enc(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.ImageManifest,
      artifactType,
      config: { mediaType: EMPTY_DESCRIPTOR.mediaType, digest: EMPTY_DESCRIPTOR.digest, size: 2 },
      layers: [{ mediaType: EMPTY_DESCRIPTOR.mediaType, digest: EMPTY_DESCRIPTOR.digest, size: 2 }],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
      annotations
    })
  )
}

export async function pushArtifact(
  t: RemoteTarget,
  subject: Descriptor,
  artifactType: string,
  annotations: Record<string, string> = {}
): Promise<{ descriptor: Descriptor; subjectAccepted: boolean }> {
  await t.pushBlob({ bytes: EMPTY_JSON }, { mediaType: MediaType.Empty })
  const bytes = artifact(subject, artifactType, annotations)
  return t.pushManifest(bytes, MediaType.ImageManifest)
}
