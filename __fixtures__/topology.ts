/**
 * The two registries every topology test runs against, and the arrangements real workflows leave on
 * them:
 * - CNCF distribution (Debian's docker-registry): no referrers API, so writers share the
 *   `sha256-<hex>` index of the referrers tag schema;
 * - the suite's in-process registry with the referrers API on and DELETE served: superseded
 *   artifacts are deleted, not unlisted.
 * `referrers()` lists as a consumer would (the API, or the tag index), never through our client.
 */
import { startDistribution } from './distribution.js'
import { startTestRegistry } from './registry/index.js'
import { MediaType } from '../src/oci/media-types.js'
import type { Target } from '../src/oci/target.js'
import type { Descriptor } from '../src/oci/types.js'
import { remote } from './images.js'

const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v))

export interface RegistryUnderTest {
  name: string
  host: string
  /** true when referrers are listed through the tag schema (distribution) */
  tagSchema: boolean
  /** the referrers of `digest` as a consumer lists them */
  referrers(repo: string, digest: string): Promise<Descriptor[]>
  /** is the manifest still stored (a superseded one is deleted where the registry lists referrers itself) */
  exists(repo: string, digest: string): Promise<boolean>
  stop(): Promise<void>
}

async function listJson(url: string, accept: string): Promise<Descriptor[]> {
  const r = await fetch(url, { headers: { accept } })
  if (r.status === 404) return []
  if (r.status !== 200) throw new Error(`GET ${url}: ${r.status} ${await r.text()}`)
  return ((await r.json()) as { manifests?: Descriptor[] }).manifests ?? []
}

async function headOk(url: string): Promise<boolean> {
  const r = await fetch(url, { method: 'HEAD', headers: { accept: `${MediaType.ImageManifest}, ${MediaType.ImageIndex}` } })
  return r.status === 200
}

export const REGISTRIES: Array<{ name: string; start(): Promise<RegistryUnderTest> }> = [
  {
    name: 'distribution (referrers tag schema)',
    async start() {
      const d = await startDistribution()
      return {
        name: 'distribution',
        host: d.host,
        tagSchema: true,
        referrers: (repo, digest) => listJson(`${d.url}/v2/${repo}/manifests/${digest.replace(':', '-')}`, MediaType.ImageIndex),
        exists: (repo, digest) => headOk(`${d.url}/v2/${repo}/manifests/${digest}`),
        stop: () => d.stop()
      }
    }
  },
  {
    name: 'in-process registry (referrers API, deletes)',
    async start() {
      const r = await startTestRegistry()
      return {
        name: 'referrers-api',
        host: r.host,
        tagSchema: false,
        referrers: (repo, digest) => listJson(`${r.url}/v2/${repo}/referrers/${digest}`, MediaType.ImageIndex),
        exists: (repo, digest) => headOk(`${r.url}/v2/${repo}/manifests/${digest}`),
        stop: () => r.close()
      }
    }
  }
]

/** Starts a registry for the enclosing describe block (jest hooks); call the getter inside its tests. */
export function useRegistry(start: () => Promise<RegistryUnderTest>): () => RegistryUnderTest {
  let reg: RegistryUnderTest | undefined
  beforeAll(async () => {
    reg = await start()
  })
  afterAll(async () => {
    await reg?.stop()
  })
  return () => {
    if (!reg) throw new Error('the registry is not started: call the getter inside a test')
    return reg
  }
}

export const COSIGN_SIG = 'application/vnd.dev.cosign.artifact.sig.v1+json'

/**
 * A referrer another tool wrote (a cosign-like signature with its own config and layer). On a
 * registry without the referrers API it is listed in the tag index, as cosign's tag schema does.
 */
export async function pushForeignReferrer(reg: RegistryUnderTest, repo: string, subject: Descriptor): Promise<Descriptor> {
  const t = remote(`${reg.host}/${repo}:unused`)
  const config = await t.pushBlob(
    { bytes: enc({ architecture: '', os: '', config: {}, rootfs: { type: 'layers', diff_ids: [] } }) },
    { mediaType: MediaType.ImageConfig }
  )
  const layer = await t.pushBlob({ bytes: enc({ critical: { image: { 'docker-manifest-digest': subject.digest } } }) })
  const bytes = enc({
    schemaVersion: 2,
    mediaType: MediaType.ImageManifest,
    artifactType: COSIGN_SIG,
    config: { mediaType: MediaType.ImageConfig, digest: config.digest, size: config.size },
    layers: [
      {
        mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
        digest: layer.digest,
        size: layer.size,
        annotations: { 'dev.cosignproject.cosign/signature': 'MEUCIQ' }
      }
    ],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size }
  })
  const sig = { ...(await t.pushManifest(bytes, MediaType.ImageManifest)).descriptor, artifactType: COSIGN_SIG }
  if (reg.tagSchema) {
    const index = enc({ schemaVersion: 2, mediaType: MediaType.ImageIndex, manifests: [sig] })
    await t.pushManifest(index, MediaType.ImageIndex, subject.digest.replace(':', '-'))
  }
  return sig
}

export type AttestationForm = 'none' | 'legacy' | 'oci'

export interface BuiltIndex {
  index: Descriptor
  platforms: Descriptor[]
  /** BuildKit's attestation manifests inside the index, by the platform digest they describe */
  attestations: Map<string, Descriptor>
}

/**
 * A two-platform image index as docker/build-push-action pushes it. With attestations, each platform
 * gets a BuildKit attestation manifest (SLSA provenance and an SPDX SBOM as in-toto layers) inside
 * the index: `legacy` as an `unknown/unknown` entry naming its platform in `vnd.docker.reference.*`;
 * `oci` (BuildKit 0.32+) as an artifact with `artifactType` and `subject` = the platform manifest,
 * named by nothing else. `skip` leaves one platform without its attestation.
 */
export async function pushBuildKitIndex(host: string, repo: string, tag: string, form: AttestationForm, opts: { skip?: string } = {}): Promise<BuiltIndex> {
  return writeBuildKitIndex(remote(`${host}/${repo}:${tag}`), repo, tag, form, opts)
}

/** The same index written through any target (an OCI layout too); `repo` names the image in the statements. */
export async function writeBuildKitIndex(
  t: Pick<Target, 'pushBlob' | 'pushManifest'>,
  repo: string,
  tag: string,
  form: AttestationForm,
  opts: { skip?: string } = {}
): Promise<BuiltIndex> {
  const platforms: Descriptor[] = []
  const entries: Descriptor[] = []
  const attestations = new Map<string, Descriptor>()
  for (const arch of ['amd64', 'arm64']) {
    const config = await t.pushBlob({ bytes: enc({ architecture: arch, os: 'linux', seed: `${repo}:${tag}` }) }, { mediaType: MediaType.ImageConfig })
    const layer = await t.pushBlob({ bytes: enc(`layer ${arch} ${repo}:${tag}`) })
    const bytes = enc({
      schemaVersion: 2,
      mediaType: MediaType.ImageManifest,
      config: { mediaType: MediaType.ImageConfig, digest: config.digest, size: config.size },
      layers: [{ mediaType: MediaType.LayerGzip, digest: layer.digest, size: layer.size }]
    })
    const d = { ...(await t.pushManifest(bytes, MediaType.ImageManifest)).descriptor, platform: { os: 'linux', architecture: arch } }
    platforms.push(d)
    entries.push(d)
  }
  if (form !== 'none') {
    for (const p of platforms) {
      if (p.platform?.architecture === opts.skip) continue
      const provenance = await t.pushBlob({
        bytes: enc({
          _type: 'https://in-toto.io/Statement/v0.1',
          predicateType: 'https://slsa.dev/provenance/v0.2',
          subject: [{ name: repo, digest: { sha256: p.digest.slice(7) } }],
          predicate: {}
        })
      })
      const sbom = await t.pushBlob({
        bytes: enc({
          _type: 'https://in-toto.io/Statement/v0.1',
          predicateType: 'https://spdx.dev/Document',
          subject: [{ name: repo, digest: { sha256: p.digest.slice(7) } }],
          predicate: { spdxVersion: 'SPDX-2.3' }
        })
      })
      const config = await t.pushBlob(
        { bytes: enc({ architecture: 'unknown', os: 'unknown', config: {}, rootfs: { type: 'layers', diff_ids: [] } }) },
        { mediaType: MediaType.ImageConfig }
      )
      const manifest: Record<string, unknown> = {
        schemaVersion: 2,
        mediaType: MediaType.ImageManifest,
        config: { mediaType: MediaType.ImageConfig, digest: config.digest, size: config.size },
        layers: [
          {
            mediaType: 'application/vnd.in-toto+json',
            digest: provenance.digest,
            size: provenance.size,
            annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' }
          },
          {
            mediaType: 'application/vnd.in-toto+json',
            digest: sbom.digest,
            size: sbom.size,
            annotations: { 'in-toto.io/predicate-type': 'https://spdx.dev/Document' }
          }
        ]
      }
      if (form === 'oci') {
        manifest.artifactType = 'application/vnd.docker.attestation.manifest.v1+json'
        manifest.subject = { mediaType: p.mediaType, digest: p.digest, size: p.size }
      }
      // BuildKit writes no referrers tag for it: it is found through the index only
      const pushed = (await t.pushManifest(enc(manifest), MediaType.ImageManifest)).descriptor
      const entry: Descriptor =
        form === 'legacy'
          ? {
              ...pushed,
              platform: { os: 'unknown', architecture: 'unknown' },
              annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': p.digest }
            }
          : { ...pushed, artifactType: 'application/vnd.docker.attestation.manifest.v1+json', platform: { os: 'unknown', architecture: 'unknown' } }
      attestations.set(p.digest, entry)
      entries.push(entry)
    }
  }
  const index = (await t.pushManifest(enc({ schemaVersion: 2, mediaType: MediaType.ImageIndex, manifests: entries }), MediaType.ImageIndex, tag)).descriptor
  return { index, platforms, attestations }
}
