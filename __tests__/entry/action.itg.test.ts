// The bundled action (dist/index.js), run as the GitHub runner runs it, against the real CNCF
// distribution registry (no referrers API: the tag-schema path).
import { startDistribution, type Distribution } from '../../__fixtures__/distribution.js'
import { runAction, SHA } from '../../__fixtures__/action-runner.js'
import { blob, imageManifest, pushTestImage, remote } from '../../__fixtures__/builders.js'
import { pushBuildKitIndex } from '../../__fixtures__/topology.js'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeDocument } from '../../src/metadata/codec.js'
import { ArtifactType, MediaType } from '../../src/oci/media-types.js'
import { editReferrersIndex, referrersTagName } from '../../src/oci/referrer-descriptors.js'
import { parseManifest, isIndex, type Descriptor, type ImageIndex, type ImageManifest } from '../../src/oci/types.js'

let reg: Distribution
beforeAll(async () => {
  reg = await startDistribution()
})
afterAll(async () => {
  await reg?.stop()
})

async function tagSchemaIndex(repo: string, subject: string): Promise<ImageIndex> {
  const got = await remote(`${reg.host}/${repo}:x`).fetchManifest(referrersTagName(subject))
  const m = parseManifest(got.bytes)
  if (!isIndex(m)) throw new Error('not an index')
  return m
}

const FOREIGN_TYPE = 'application/vnd.dev.cosign.artifact.sig.v1+json'

/** Put a foreign tool's entry into the subject's referrers index, as cosign would. */
async function addForeignEntry(repo: string, subject: Descriptor): Promise<Descriptor> {
  const t = remote(`${reg.host}/${repo}:x`)
  const empty = blob('{}', MediaType.Empty)
  const sig = blob('signature bytes', 'application/vnd.dev.cosign.simplesigning.v1+json')
  for (const b of [empty, sig]) await t.pushBlob({ bytes: b.bytes })
  const annotations = { 'dev.sigstore.cosign/signature': 'MEUCIQ…' }
  const manifest = imageManifest({ artifactType: FOREIGN_TYPE, config: empty.descriptor, layers: [sig.descriptor], subject, annotations })
  const d = (await t.pushManifest(manifest.bytes, MediaType.ImageManifest)).descriptor
  const foreign: Descriptor = { ...d, artifactType: FOREIGN_TYPE, annotations: { ...annotations, 'x-other-tool': 'kept' } }
  const edit = editReferrersIndex(undefined, [foreign])
  await t.pushManifest(edit.bytes, MediaType.ImageIndex, referrersTagName(subject.digest))
  return foreign
}

describe('artifact mode through the bundled action', () => {
  let subject: Descriptor
  let foreign: Descriptor
  let first: Awaited<ReturnType<typeof runAction>>
  const repo = 'acme/widget'

  beforeAll(async () => {
    subject = await pushTestImage(reg.host, repo, 'v1')
    foreign = await addForeignEntry(repo, subject)
    first = await runAction({ image: `${reg.host}/${repo}:v1`, digest: subject.digest })
  })

  test('attach succeeds and sets the contract outputs', () => {
    expect(first.errors).toEqual([])
    expect(first.code).toBe(0)
    expect(first.outputs.verified).toBe('true')
    expect(first.outputs['subject-digest']).toBe(subject.digest)
    expect(first.outputs['artifact-digest']).toMatch(/^sha256:[a-f0-9]{64}$/)
    const doc = JSON.parse(first.outputs.metadata as string)
    expect(doc.schemaVersion).toBe(1)
    expect(doc.image.original).toBe(`${reg.host}/${repo}:v1`)
    expect(doc.image.tag).toBe('v1')
    expect(doc.image.digest).toBe(subject.digest)
    expect(doc.source.commit).toBe(SHA)
    expect(doc.source.repository).toBe('acme/widget')
    expect(doc.ci.runId).toBe('4242')
    expect(JSON.parse(first.outputs.referrers as string).map((d: Descriptor) => d.digest)).toContain(first.outputs['artifact-digest'])
  })

  test('the document is logged once, under output metadata; the annotations and referrers name it', () => {
    expect(first.stdout.split('"schemaVersion"').length - 1).toBe(1)
    expect(first.stdout).toContain('(the metadata document, ')
  })

  test('the job summary shows image, digests, artifact, referrers and the result', () => {
    expect(first.summary).toContain(subject.digest)
    expect(first.summary).toContain(first.outputs['artifact-digest'])
    expect(first.summary).toContain('verified')
    expect(first.summary).toMatch(/Referrers seen \| 2/)
  })

  test('the referrer is in the sha256-<hex> index next to the foreign entry, with artifactType and all annotations', async () => {
    const index = await tagSchemaIndex(repo, subject.digest)
    const ours = index.manifests.filter(d => d.artifactType === ArtifactType.BuildMetadataV1)
    expect(ours).toHaveLength(1)
    expect(ours[0]!.digest).toBe(first.outputs['artifact-digest'])
    expect(index.manifests.find(d => d.digest === foreign.digest)).toEqual(foreign)
    const got = await remote(`${reg.host}/${repo}:x`).fetchManifest(ours[0]!.digest)
    const m = parseManifest(got.bytes) as ImageManifest
    expect(m.subject?.digest).toBe(subject.digest)
    expect(m.artifactType).toBe(ArtifactType.BuildMetadataV1)
    expect(m.config.digest).toBe('sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a')
    expect(ours[0]!.annotations).toEqual(m.annotations)
    const dec = decodeDocument(m.annotations ?? {})
    expect(dec?.inline && dec.document.source.commit).toBe(SHA)
  })

  test('a re-run adds no duplicate and keeps the foreign entry', async () => {
    // an image of its own: the re-run supersedes the first run's artifact, which the other tests read
    const rerun = 'acme/rerun'
    const image = await pushTestImage(reg.host, rerun, 'v1')
    const theirs = await addForeignEntry(rerun, image)
    expect((await runAction({ image: `${reg.host}/${rerun}:v1`, digest: image.digest })).code).toBe(0)
    const again = await runAction({ image: `${reg.host}/${rerun}:v1`, digest: image.digest }, { GITHUB_RUN_ATTEMPT: '2' })
    expect(again.code).toBe(0)
    const index = await tagSchemaIndex(rerun, image.digest)
    const ours = index.manifests.filter(d => d.artifactType === ArtifactType.BuildMetadataV1)
    expect(ours.map(d => d.digest)).toEqual([again.outputs['artifact-digest']])
    expect(index.manifests.some(d => d.digest === theirs.digest)).toBe(true)
  })

  test('verify passes on the image and reports what it saw', async () => {
    const v = await runAction({ image: `${reg.host}/${repo}:v1`, command: 'verify', require: 'metadata', revision: SHA })
    expect(v.errors).toEqual([])
    expect(v.code).toBe(0)
    expect(v.outputs.verified).toBe('true')
    expect(JSON.parse(v.outputs.missing as string)).toEqual([])
    expect(v.summary).toContain('metadata')
  })

  test('an input that does not apply to the command is a warning in the action, not a failure', async () => {
    const v = await runAction({ image: `${reg.host}/${repo}:v1`, command: 'verify', sbom: 'sbom.spdx.json', 'verify-timeout': '45' })
    expect(v.code).toBe(0)
    const warnings = v.stdout.split('\n').filter(l => l.startsWith('::warning'))
    expect(warnings).toEqual([
      expect.stringMatching(/input sbom does not apply to verify: it is for attach only/),
      expect.stringMatching(/input verify-timeout does not apply to verify/)
    ])
  })

  test('get through the action: the SBOM-less image has no SBOM (exit 1, a summary); the document is an output', async () => {
    const none = await runAction({ image: `${reg.host}/${repo}:v1`, command: 'get', 'artifact-type': 'sbom', output: 'sbom.json' })
    expect(none.code).toBe(1)
    expect(none.errors).toEqual([expect.stringMatching(/^get: no SBOM is attached to /)])
    expect(none.outputs).toEqual({ 'exit-code': '1', error: none.errors[0] })
    expect(none.summary).toContain('| Result | ❌ exit 1: ')
    const doc = await runAction({ image: `${reg.host}/${repo}:v1`, command: 'get' })
    expect(doc.errors).toEqual([])
    expect(JSON.parse(doc.outputs.metadata as string).source.commit).toBe(SHA)
    expect(doc.outputs['metadata-digest']).toBe(doc.outputs['artifact-digest'])
    expect(doc.summary).toContain('### Read back')
    expect(doc.summary).not.toMatch(/verified/)
  })

  test('verify fails when the revision is not the commit in the metadata', async () => {
    const v = await runAction({ image: `${reg.host}/${repo}:v1`, command: 'verify', revision: 'fedcba9876543210fedcba9876543210fedcba98' })
    expect(v.code).toBe(1)
    expect(v.outputs.verified).toBe('false')
    expect(v.errors).toHaveLength(1)
    expect(v.errors[0]).toContain('is not the required revision')
  })
})

test('verify fails with a clear message on an image without metadata', async () => {
  const bare = await pushTestImage(reg.host, 'acme/bare', 'v1')
  const v = await runAction({ image: `${reg.host}/acme/bare@${bare.digest}`, command: 'verify' })
  expect(v.code).toBe(1)
  expect(v.outputs.verified).toBe('false')
  expect(JSON.parse(v.outputs.missing as string)).toEqual(['metadata'])
  expect(v.errors).toEqual([expect.stringContaining('metadata is missing')])
  expect(v.stdout).not.toMatch(/\n\s+at /)
})

test('annotations mode moves the tag to a manifest with the same config and layers whose annotations decode to the document', async () => {
  const before = await pushTestImage(reg.host, 'acme/annotated', 'v2')
  const beforeManifest = parseManifest((await remote(`${reg.host}/acme/annotated:v2`).fetchManifest(before.digest)).bytes) as ImageManifest
  const r = await runAction({ image: `${reg.host}/acme/annotated:v2`, mode: 'annotations' })
  expect(r.errors).toEqual([])
  expect(r.code).toBe(0)
  expect(r.outputs.verified).toBe('true')
  const newDigest = r.outputs['image-digest'] as string
  expect(newDigest).toMatch(/^sha256:/)
  expect(newDigest).not.toBe(before.digest)
  expect(r.stdout).toMatch(/digest changed/)
  expect(r.summary).toMatch(/digest changed/i)
  const now = await remote(`${reg.host}/acme/annotated:v2`).fetchManifest('v2')
  expect(now.descriptor.digest).toBe(newDigest)
  const m = parseManifest(now.bytes) as ImageManifest
  expect(m.config).toEqual(beforeManifest.config)
  expect(m.layers).toEqual(beforeManifest.layers)
  const dec = decodeDocument(m.annotations ?? {})
  expect(dec?.inline && dec.document.image.digest).toBe(before.digest)
  expect(JSON.parse(r.outputs.metadata as string).source.commit).toBe(SHA)
  const v = await runAction({ image: `${reg.host}/acme/annotated:v2`, command: 'verify' })
  expect(v.errors).toEqual([])
  expect(v.code).toBe(0)
})

test("discover through the action: a summary with each platform's referrers and BuildKit's attestations, and no verdict", async () => {
  const built = await pushBuildKitIndex(reg.host, 'acme/multi', 'v1', 'legacy')
  const image = `${reg.host}/acme/multi:v1`
  expect((await runAction({ image, platforms: 'each' })).code).toBe(0)
  const d = await runAction({ image, command: 'discover' })
  expect(d.code).toBe(0)
  expect(d.errors).toEqual([])
  expect(d.summary).not.toMatch(/verif/i)
  expect(d.summary).not.toContain('✅')
  for (const p of built.platforms) {
    expect(d.summary).toContain(`#### linux/${p.platform!.architecture} \`${p.digest}\``)
    expect(d.summary).toContain(`| BuildKit attestation (in the index) | \`${built.attestations.get(p.digest)!.digest}\` |`)
  }
  expect(Object.keys(d.outputs).sort()).toEqual(['exit-code', 'referrers', 'subject-digest'])
  expect(JSON.parse(d.outputs.referrers as string).map((x: Descriptor) => x.artifactType)).toEqual([ArtifactType.BuildMetadataV1])

  // get through the action writes BuildKit's SBOM statement for one platform to output
  const dir = await mkdtemp(join(tmpdir(), 'obm-action-get-'))
  const g = await runAction({ image, command: 'get', 'artifact-type': 'sbom', platform: 'linux/arm64', output: 'arm64.spdx.json' }, {}, { cwd: dir })
  expect(g.errors).toEqual([])
  const written = await readFile(join(dir, 'arm64.spdx.json'))
  expect(JSON.parse(written.toString('utf8')).predicateType).toBe('https://spdx.dev/Document')
  expect(g.outputs['artifact-digest']).toBe(built.attestations.get(built.platforms[1]!.digest)!.digest)
  // without output the action has nowhere to put it: exit 2, naming the input
  const nowhere = await runAction({ image, command: 'get', 'artifact-type': 'sbom', platform: 'linux/arm64' })
  expect(nowhere.code).toBe(2)
  expect(nowhere.errors).toEqual([expect.stringMatching(/^get: give output, the file to write the SBOM to\. The action writes what get reads to that file\.$/)])
  expect(nowhere.summary).toContain('| Result | ❌ exit 2: ')
})
