// run() against the in-process registry WITH the referrers API: nothing goes to a fallback tag, the
// listing comes from the API; with non-compliant descriptors verification reads the manifests.
import { join } from 'node:path'
import { startTestRegistry, type TestRegistry } from '../../__fixtures__/registry/index.js'
import { pushImage, pushReferrer, putManifest, pushBlob } from '../../__fixtures__/registry/http-helpers.js'
import { blob, imageIndex, imageManifest } from '../../__fixtures__/builders.js'
import { ArtifactType, MediaType } from '../../src/oci/media-types.js'
import { GH_ENV, runWith } from './helpers.js'

const SBOMS = join(process.cwd(), '__fixtures__', 'sbom')
let reg: TestRegistry
afterEach(async () => {
  await reg?.close()
})

test('attach on a registry with the referrers API writes no sha256-<hex> tag and verifies through the API', async () => {
  reg = await startTestRegistry()
  const img = await pushImage(reg.url, 'team/app', 'v1')
  const r = await runWith({ image: `${reg.host}/team/app:v1`, digest: img.digest }, GH_ENV)
  expect(r.problems).toEqual([])
  expect(r.verified).toBe(true)
  expect(r.via).toBe('api')
  expect(reg.tags('team/app')).toEqual(['v1'])
  expect(reg.requests.some(q => q.method === 'GET' && q.path.includes('/referrers/'))).toBe(true)
})

test('metadata + SPDX + CycloneDX + provenance become four referrers; each SBOM blob is the file byte for byte', async () => {
  reg = await startTestRegistry()
  const img = await pushImage(reg.url, 'team/app', 'v1')
  const r = await runWith(
    { image: `${reg.host}/team/app@${img.digest}`, sbom: `${SBOMS}/spdx-2.3.json\n${SBOMS}/cyclonedx-1.5.json`, provenance: 'true' },
    GH_ENV
  )
  expect(r.problems).toEqual([])
  expect(r.attachments.map(a => a.artifactType).sort()).toEqual(
    [ArtifactType.Spdx, ArtifactType.InToto, ArtifactType.BuildMetadataV1, ArtifactType.CycloneDx].sort()
  )
  const spdx = r.attachments.find(a => a.artifactType === ArtifactType.Spdx)!
  const m = JSON.parse(new TextDecoder().decode(reg.getManifest('team/app', spdx.digest)!.bytes))
  const blob = await (await fetch(`${reg.url}/v2/team/app/blobs/${m.layers[0].digest}`)).arrayBuffer()
  const { readFile } = await import('node:fs/promises')
  expect(Buffer.from(blob).equals(await readFile(`${SBOMS}/spdx-2.3.json`))).toBe(true)
  const prov = r.attachments.find(a => a.artifactType === ArtifactType.InToto)!
  const pm = JSON.parse(new TextDecoder().decode(reg.getManifest('team/app', prov.digest)!.bytes))
  const statement = JSON.parse(Buffer.from(await (await fetch(`${reg.url}/v2/team/app/blobs/${pm.layers[0].digest}`)).arrayBuffer()).toString())
  expect(statement._type).toBe('https://in-toto.io/Statement/v1')
  expect(statement.predicateType).toBe('https://slsa.dev/provenance/v1')
  expect(statement.subject[0].digest.sha256).toBe(img.digest.slice(7))
  expect(JSON.stringify(statement.predicate)).toContain(GH_ENV.GITHUB_SHA)

  const gate = await runWith({ image: `${reg.host}/team/app@${img.digest}`, command: 'verify', require: 'metadata, sbom, provenance' })
  expect(gate.gate.map(g => [g.requirement, g.found])).toEqual([
    ['metadata', true],
    ['sbom', true],
    ['provenance', true]
  ])
  expect(gate.verified).toBe(true)
})

test('the gate fails on an image with metadata only, naming the missing SBOM', async () => {
  reg = await startTestRegistry()
  const img = await pushImage(reg.url, 'team/app', 'v1')
  await runWith({ image: `${reg.host}/team/app@${img.digest}` }, GH_ENV)
  const gate = await runWith({ image: `${reg.host}/team/app@${img.digest}`, command: 'verify', require: 'metadata\nsbom\nprovenance' })
  expect(gate.verified).toBe(false)
  expect(gate.missing).toEqual(['sbom', 'provenance'])
  expect(gate.problems[0]).toMatch(/SBOM is missing/)
})

test('a JSON file that is neither SPDX nor CycloneDX is refused and nothing is written', async () => {
  reg = await startTestRegistry()
  const img = await pushImage(reg.url, 'team/app', 'v1')
  reg.resetRequests()
  await expect(runWith({ image: `${reg.host}/team/app@${img.digest}`, sbom: `${SBOMS}/spdx-2.3.json,${SBOMS}/not-an-sbom.json` })).rejects.toThrow(
    /not-an-sbom\.json/
  )
  expect(reg.requests.filter(q => q.method !== 'GET' && q.method !== 'HEAD')).toEqual([])
})

test('non-compliant referrers descriptors (no annotations, config.mediaType as artifactType): verify reads the manifests and passes', async () => {
  reg = await startTestRegistry({ nonCompliantReferrers: true })
  const img = await pushImage(reg.url, 'team/app', 'v1')
  const r = await runWith({ image: `${reg.host}/team/app@${img.digest}` }, GH_ENV)
  expect(r.problems).toEqual([])
  expect(r.verified).toBe(true)
  const v = await runWith({ image: `${reg.host}/team/app@${img.digest}`, command: 'verify', revision: GH_ENV.GITHUB_SHA })
  expect(v.verified).toBe(true)
  expect(v.metadata?.source.commit).toBe(GH_ENV.GITHUB_SHA)
  expect(reg.requests.some(q => q.method === 'GET' && q.path.endsWith(`/manifests/${r.artifactDigest}`))).toBe(true)
})

test('a referrer in the tag-schema index whose manifest names another subject is ignored by verify', async () => {
  reg = await startTestRegistry({ referrersApi: false })
  const img = await pushImage(reg.url, 'team/app', 'v1')
  const other = await pushImage(reg.url, 'team/app', 'v2')
  // a manifest that claims to be metadata but whose subject is another image, listed under img
  const bogus = await pushReferrer(
    reg.url,
    'team/app',
    { digest: other.digest, size: other.bytes.length },
    { artifactType: ArtifactType.BuildMetadataV1, annotations: { 'dev.oci-build-metadata.version': '1' } }
  )
  const { index } = imageIndex([
    { mediaType: MediaType.ImageManifest, digest: bogus.digest, size: bogus.bytes.length, artifactType: ArtifactType.BuildMetadataV1 }
  ])
  await putManifest(reg.url, 'team/app', `sha256-${img.digest.slice(7)}`, index, MediaType.ImageIndex)
  const v = await runWith({ image: `${reg.host}/team/app@${img.digest}`, command: 'verify' })
  expect(v.verified).toBe(false)
  expect(v.missing).toEqual(['metadata'])
  expect(v.referrers).toEqual([])
  expect(reg.requests.some(q => q.method === 'GET' && q.path.endsWith(`/manifests/${bogus.digest}`))).toBe(true)
})

test('BuildKit attestations inside the index and Sigstore bundles from other tools count for the gate', async () => {
  reg = await startTestRegistry()
  const amd = await pushImage(reg.url, 'team/multi', 'amd64-build')
  // BuildKit's attestation manifest inside the index (before 0.32: an `unknown/unknown` entry naming its platform)
  const provenance = blob('{"_type":"https://in-toto.io/Statement/v0.1"}', 'application/vnd.in-toto+json')
  const sbom = blob('{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://spdx.dev/Document"}', 'application/vnd.in-toto+json')
  const config = blob('{"architecture":"unknown","os":"unknown"}', MediaType.ImageConfig)
  for (const b of [provenance, sbom, config]) await pushBlob(reg.url, 'team/multi', b.bytes)
  const attestation = imageManifest({
    config: config.descriptor,
    layers: [
      { ...provenance.descriptor, annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' } },
      { ...sbom.descriptor, annotations: { 'in-toto.io/predicate-type': 'https://spdx.dev/Document' } }
    ]
  })
  const att = await putManifest(reg.url, 'team/multi', undefined, attestation.manifest)
  expect(att.status).toBe(201)
  const index = await putManifest(
    reg.url,
    'team/multi',
    'v1',
    imageIndex([
      { mediaType: MediaType.ImageManifest, digest: amd.digest, size: amd.bytes.length, platform: { os: 'linux', architecture: 'amd64' } },
      {
        mediaType: MediaType.ImageManifest,
        digest: att.digest,
        size: att.bytes.length,
        platform: { os: 'unknown', architecture: 'unknown' },
        annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': amd.digest }
      }
    ]).index,
    MediaType.ImageIndex
  )
  expect(index.status).toBe(201)
  const v = await runWith({ image: `${reg.host}/team/multi:v1`, command: 'verify', require: 'sbom,provenance', platforms: 'each' })
  expect(v.gate.map(g => [g.scope, g.requirement, g.found])).toEqual([
    ['linux/amd64', 'sbom', true],
    ['linux/amd64', 'provenance', true]
  ])
  // a Sigstore bundle referrer (as actions/attest writes it) counts as provenance on the platform manifest
  await pushReferrer(
    reg.url,
    'team/multi',
    { digest: amd.digest, size: amd.bytes.length },
    {
      artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      annotations: { 'dev.sigstore.bundle.predicateType': 'https://slsa.dev/provenance/v1', 'dev.sigstore.bundle.content': 'dsse-envelope' }
    }
  )
  const v2 = await runWith({ image: `${reg.host}/team/multi@${amd.digest}`, command: 'verify', require: 'provenance' })
  expect(v2.gate[0]?.found).toBe(true)
  expect(v2.gate[0]?.by).toMatch(/sigstore\.bundle/)
})

test(
  'an index subject with platforms: each gets metadata on the index and on every platform; the gate requires each platform, counting what the index ' +
    'carries for all',
  async () => {
    reg = await startTestRegistry()
    const a = await pushImage(reg.url, 'team/idx', 'a')
    const b = await pushImage(reg.url, 'team/idx', 'b')
    const platforms = imageIndex([
      { mediaType: MediaType.ImageManifest, digest: a.digest, size: a.bytes.length, platform: { os: 'linux', architecture: 'amd64' } },
      { mediaType: MediaType.ImageManifest, digest: b.digest, size: b.bytes.length, platform: { os: 'linux', architecture: 'arm64' } }
    ])
    await putManifest(reg.url, 'team/idx', 'v1', platforms.index, MediaType.ImageIndex)
    // metadata on one platform only: the gate names the other platform and the requirement
    await runWith({ image: `${reg.host}/team/idx@${a.digest}` }, GH_ENV)
    const eachFails = await runWith({ image: `${reg.host}/team/idx:v1`, command: 'verify', platforms: 'each' })
    expect(eachFails.verified).toBe(false)
    expect(eachFails.missing).toEqual(['metadata@linux/arm64'])
    expect(eachFails.problems).toEqual([expect.stringMatching(/^linux\/arm64: metadata is missing/)])
    // metadata on the index lists both platforms: it counts for each
    const onlyIndex = await runWith({ image: `${reg.host}/team/idx:v1` }, GH_ENV)
    expect(onlyIndex.verified).toBe(true)
    expect(onlyIndex.metadata?.image.platforms?.map(p => p.architecture)).toEqual(['amd64', 'arm64'])
    const viaIndex = await runWith({ image: `${reg.host}/team/idx:v1`, command: 'verify', platforms: 'each' })
    expect(viaIndex.verified).toBe(true)
    expect(viaIndex.gate.map(g => [g.scope, g.found, g.by?.startsWith('referrer of the index')])).toEqual([
      ['linux/amd64', true, false],
      ['linux/arm64', true, true]
    ])
    const each = await runWith({ image: `${reg.host}/team/idx:v1`, platforms: 'each' }, GH_ENV)
    expect(each.problems).toEqual([])
    expect(each.attachments.filter(x => x.kind === 'metadata')).toHaveLength(3)
    const eachPasses = await runWith({ image: `${reg.host}/team/idx:v1`, command: 'verify', platforms: 'each' })
    expect(eachPasses.verified).toBe(true)
  }
)

test('a registry that sends OCI-Subject without serving the referrers API (as ECR did) still gets the tag schema', async () => {
  reg = await startTestRegistry({ referrersApi: false, subjectHeader: true })
  const img = await pushImage(reg.url, 'team/liar', 'v1')
  const r = await runWith({ image: `${reg.host}/team/liar@${img.digest}` }, GH_ENV)
  expect(r.problems).toEqual([])
  expect(r.verified).toBe(true)
  expect(r.via).toBe('tag-schema')
  expect(reg.tags('team/liar')).toContain(`sha256-${img.digest.slice(7)}`)
  const v = await runWith({ image: `${reg.host}/team/liar@${img.digest}`, command: 'verify' })
  expect(v.verified).toBe(true)
})
