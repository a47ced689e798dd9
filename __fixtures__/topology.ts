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
import type { Descriptor } from '../src/oci/types.js'
import { blob, imageIndex, imageManifest, remote, type Built, type PushTarget } from './builders.js'

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
  const config = blob({ architecture: '', os: '', config: {}, rootfs: { type: 'layers', diff_ids: [] } }, MediaType.ImageConfig)
  const layer = blob({ critical: { image: { 'docker-manifest-digest': subject.digest } } }, 'application/vnd.dev.cosign.simplesigning.v1+json')
  const manifest = imageManifest({
    artifactType: COSIGN_SIG,
    config: config.descriptor,
    layers: [{ ...layer.descriptor, annotations: { 'dev.cosignproject.cosign/signature': 'MEUCIQ' } }],
    subject
  })
  await pushBlobs(t, [config, layer])
  const sig = { ...(await t.pushManifest(manifest.bytes, MediaType.ImageManifest)).descriptor, artifactType: COSIGN_SIG }
  if (reg.tagSchema) await t.pushManifest(imageIndex([sig]).bytes, MediaType.ImageIndex, subject.digest.replace(':', '-'))
  return sig
}

async function pushBlobs(t: PushTarget, blobs: Built[]): Promise<void> {
  for (const b of blobs) await t.pushBlob({ bytes: b.bytes }, { mediaType: b.descriptor.mediaType })
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
export async function writeBuildKitIndex(t: PushTarget, repo: string, tag: string, form: AttestationForm, opts: { skip?: string } = {}): Promise<BuiltIndex> {
  const platforms: Descriptor[] = []
  const entries: Descriptor[] = []
  const attestations = new Map<string, Descriptor>()
  for (const arch of ['amd64', 'arm64']) {
    const config = blob({ architecture: arch, os: 'linux', seed: `${repo}:${tag}` }, MediaType.ImageConfig)
    const layer = blob(`layer ${arch} ${repo}:${tag}`, MediaType.LayerGzip)
    await pushBlobs(t, [config, layer])
    const manifest = imageManifest({ config: config.descriptor, layers: [layer.descriptor] })
    const d = { ...(await t.pushManifest(manifest.bytes, MediaType.ImageManifest)).descriptor, platform: { os: 'linux', architecture: arch } }
    platforms.push(d)
    entries.push(d)
  }
  if (form !== 'none') {
    for (const p of platforms) {
      if (p.platform?.architecture === opts.skip) continue
      const statement = (predicateType: string, predicate: unknown) =>
        blob(
          { _type: 'https://in-toto.io/Statement/v0.1', predicateType, subject: [{ name: repo, digest: { sha256: p.digest.slice(7) } }], predicate },
          IN_TOTO
        )
      const provenance = statement('https://slsa.dev/provenance/v0.2', {})
      const sbom = statement('https://spdx.dev/Document', { spdxVersion: 'SPDX-2.3' })
      const config = blob({ architecture: 'unknown', os: 'unknown', config: {}, rootfs: { type: 'layers', diff_ids: [] } }, MediaType.ImageConfig)
      await pushBlobs(t, [provenance, sbom, config])
      const manifest = imageManifest({
        // BuildKit 0.32+ (`oci`): an artifact of the platform manifest; before (`legacy`): neither field
        ...(form === 'oci' ? { artifactType: ATTESTATION, subject: p } : {}),
        config: config.descriptor,
        layers: [
          { ...provenance.descriptor, annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' } },
          { ...sbom.descriptor, annotations: { 'in-toto.io/predicate-type': 'https://spdx.dev/Document' } }
        ]
      })
      // BuildKit writes no referrers tag for it: it is found through the index only
      const pushed = (await t.pushManifest(manifest.bytes, MediaType.ImageManifest)).descriptor
      const entry: Descriptor =
        form === 'legacy'
          ? {
              ...pushed,
              platform: { os: 'unknown', architecture: 'unknown' },
              annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': p.digest }
            }
          : { ...pushed, artifactType: ATTESTATION, platform: { os: 'unknown', architecture: 'unknown' } }
      attestations.set(p.digest, entry)
      entries.push(entry)
    }
  }
  const index = (await t.pushManifest(imageIndex(entries).bytes, MediaType.ImageIndex, tag)).descriptor
  return { index, platforms, attestations }
}

const IN_TOTO = 'application/vnd.in-toto+json'
const ATTESTATION = 'application/vnd.docker.attestation.manifest.v1+json'

/** The environment of a release job's step on GitHub Actions, as the runner sets it (the CLI reads the same variables). */
export function releaseJobEnv(sha: string): Record<string, string> {
  return {
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'acme/widget',
    GITHUB_WORKFLOW: 'release',
    GITHUB_JOB: 'image',
    GITHUB_ACTION: '__run_3',
    GITHUB_RUN_ID: '31337',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SHA: sha,
    GITHUB_REF: 'refs/tags/v1.2.3',
    GITHUB_SERVER_URL: 'https://github.com'
  }
}
