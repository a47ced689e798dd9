/**
 * Arranging images in a registry for tests, through the project's own client (distribution 2.8
 * needs the two-step POST+PUT upload, which fetch-based helpers do not do).
 */
import { MediaType } from '../src/oci/media-types.js'
import { parseReference } from '../src/oci/reference.js'
import { RemoteTarget } from '../src/oci/remote/index.js'
import type { Descriptor } from '../src/oci/types.js'

const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v))

export function remote(image: string, env: NodeJS.ProcessEnv = {}): RemoteTarget {
  return new RemoteTarget(parseReference(image), { env })
}

/** Push a small single-platform image; returns its descriptor. */
export async function pushTestImage(host: string, repo: string, tag: string, seed = tag): Promise<Descriptor> {
  const t = remote(`${host}/${repo}:${tag}`)
  const config = await t.pushBlob({ bytes: enc({ architecture: 'amd64', os: 'linux', seed }) }, { mediaType: MediaType.ImageConfig })
  const layer = await t.pushBlob({ bytes: enc(`layer of ${seed}`) }, { mediaType: MediaType.Layer })
  const bytes = enc({
    schemaVersion: 2,
    mediaType: MediaType.ImageManifest,
    config: { mediaType: MediaType.ImageConfig, digest: config.digest, size: config.size },
    layers: [{ mediaType: MediaType.Layer, digest: layer.digest, size: layer.size }]
  })
  return (await t.pushManifest(bytes, MediaType.ImageManifest, tag)).descriptor
}

/** Push a two-platform image index; returns the index descriptor and the platform descriptors. */
export async function pushTestIndex(host: string, repo: string, tag: string): Promise<{ index: Descriptor; platforms: Descriptor[] }> {
  const t = remote(`${host}/${repo}:${tag}`)
  const platforms: Descriptor[] = []
  for (const arch of ['amd64', 'arm64']) {
    const config = await t.pushBlob({ bytes: enc({ architecture: arch, os: 'linux', seed: tag }) })
    const layer = await t.pushBlob({ bytes: enc(`layer ${arch} ${tag}`) })
    const bytes = enc({
      schemaVersion: 2,
      mediaType: MediaType.ImageManifest,
      config: { mediaType: MediaType.ImageConfig, digest: config.digest, size: config.size },
      layers: [{ mediaType: MediaType.Layer, digest: layer.digest, size: layer.size }]
    })
    const d = (await t.pushManifest(bytes, MediaType.ImageManifest)).descriptor
    platforms.push({ ...d, platform: { os: 'linux', architecture: arch } })
  }
  const bytes = enc({ schemaVersion: 2, mediaType: MediaType.ImageIndex, manifests: platforms })
  const index = (await t.pushManifest(bytes, MediaType.ImageIndex, tag)).descriptor
  return { index, platforms }
}
