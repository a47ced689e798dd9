// run() against the real CNCF distribution registry: SBOMs, provenance and the gate on the tag schema.
import { join } from 'node:path'
import { startDistribution, type Distribution } from '../../__fixtures__/distribution.js'
import { pushTestImage, pushTestIndex, remote } from '../../__fixtures__/builders.js'
import { ArtifactType } from '../../src/oci/media-types.js'
import { referrersTagName } from '../../src/oci/referrer-descriptors.js'
import { parseManifest, isIndex } from '../../src/oci/types.js'
import { GH_ENV, runWith } from './helpers.js'

const SBOMS = join(process.cwd(), '__fixtures__', 'sbom')
let reg: Distribution
beforeAll(async () => {
  reg = await startDistribution()
})
afterAll(async () => {
  await reg?.stop()
})

test('SPDX, CycloneDX and provenance land as referrers in the tag schema next to the metadata; the gate passes', async () => {
  const img = await pushTestImage(reg.host, 'supply/app', 'v1')
  const r = await runWith(
    {
      image: `${reg.host}/supply/app:v1`,
      digest: img.digest,
      sbom: `${`${SBOMS}/*.json`.replace('*.json', 'spdx-2.3.json')}\n${SBOMS}/cyclonedx-1.5.*`,
      provenance: 'true'
    },
    GH_ENV
  )
  expect(r.problems).toEqual([])
  expect(r.via).toBe('tag-schema')
  const got = await remote(`${reg.host}/supply/app:v1`).fetchManifest(referrersTagName(img.digest))
  const idx = parseManifest(got.bytes)
  expect(isIndex(idx)).toBe(true)
  const types = isIndex(idx) ? idx.manifests.map(d => d.artifactType).sort() : []
  expect(types).toEqual([ArtifactType.Spdx, ArtifactType.InToto, ArtifactType.BuildMetadataV1, ArtifactType.CycloneDx, ArtifactType.CycloneDxXml].sort())
  const gate = await runWith({
    image: `${reg.host}/supply/app:v1`,
    command: 'verify',
    require: 'metadata,sbom,provenance',
    revision: GH_ENV.GITHUB_SHA.slice(0, 12),
    'max-age': '1h'
  })
  expect(gate.verified).toBe(true)
  expect(gate.via).toBe('tag-schema')
})

test('the gate on distribution names what is missing', async () => {
  const img = await pushTestImage(reg.host, 'supply/bare', 'v1')
  await runWith({ image: `${reg.host}/supply/bare:v1` }, GH_ENV)
  const gate = await runWith({ image: `${reg.host}/supply/bare:v1`, command: 'verify', require: 'metadata,sbom' })
  expect(gate.verified).toBe(false)
  expect(gate.missing).toEqual(['sbom'])
  expect(gate.subject.digest).toBe(img.digest)
})

test('an old document fails max-age', async () => {
  await pushTestImage(reg.host, 'supply/old', 'v1')
  await runWith({ image: `${reg.host}/supply/old:v1` }, { ...GH_ENV, SOURCE_DATE_EPOCH: '1700000000' })
  const gate = await runWith({ image: `${reg.host}/supply/old:v1`, command: 'verify', 'max-age': '30d' })
  expect(gate.verified).toBe(false)
  // the message states the document's actual age (issue 16): created …, <age> ago, older than the allowed 30d
  expect(gate.problems[0]).toMatch(/created 2023-11-14T22:13:20\.000Z, \d+d( \d+[hms])? ago, older than the allowed 30d/)
})

test('an image index on distribution: metadata records the platforms; annotations mode annotates the index', async () => {
  const { index, platforms } = await pushTestIndex(reg.host, 'supply/multi', 'v1')
  const r = await runWith({ image: `${reg.host}/supply/multi:v1` }, GH_ENV)
  expect(r.subject.digest).toBe(index.digest)
  expect(r.metadata?.image.platforms?.map(p => p.digest)).toEqual(platforms.map(p => p.digest))
  const a = await runWith({ image: `${reg.host}/supply/multi:v1`, mode: 'annotations' }, GH_ENV)
  expect(a.verified).toBe(true)
  expect(a.digestChanged).toBe(true)
  const now = await remote(`${reg.host}/supply/multi:v1`).fetchManifest('v1')
  const m = parseManifest(now.bytes)
  expect(isIndex(m) && m.manifests.map(d => d.digest)).toEqual(platforms.map(p => p.digest))
})
