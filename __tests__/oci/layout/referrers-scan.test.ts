import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { bytesOf, imageIndex, imageManifest } from '../../../__fixtures__/builders.js'
import { copyFixtureLayout, FIXTURE, resolveIn } from '../../../__fixtures__/layout.js'
import { digestOf } from '../../../src/oci/digest.js'
import { LayoutTarget } from '../../../src/oci/layout/layout-target.js'
import { Annotation, EMPTY_DESCRIPTOR, MediaType } from '../../../src/oci/media-types.js'
import { parseReference } from '../../../src/oci/reference.js'
import { editReferrersIndex, referrersTagName } from '../../../src/oci/referrer-descriptors.js'
import type { Descriptor } from '../../../src/oci/types.js'

const open = (dir: string) => new LayoutTarget(parseReference(`oci:${dir}`))
/** A referrer of `subject`, as any tool may write one: `artifactType` only when given, another config type possible. */
function artifact(subject: Descriptor, artifactType: string | undefined, annotations: Record<string, string>, config: Descriptor = EMPTY_DESCRIPTOR) {
  return imageManifest({ ...(artifactType ? { artifactType } : {}), config, layers: [EMPTY_DESCRIPTOR], subject, annotations }).bytes
}

async function tagSchemaEntries(t: LayoutTarget, subject: string): Promise<Descriptor[]> {
  const { bytes } = await t.fetchManifest(referrersTagName(subject))
  return (JSON.parse(Buffer.from(bytes).toString()) as { manifests: Descriptor[] }).manifests
}

describe('LayoutTarget referrers', () => {
  let dir: string
  let t: LayoutTarget
  let subject: Descriptor
  beforeEach(async () => {
    dir = await copyFixtureLayout()
    t = open(dir)
    subject = await resolveIn(t, 'v1')
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  test('none at first', async () => {
    expect(await t.listReferrers(subject)).toEqual({ descriptors: [], via: 'scan', filtersApplied: false })
  })

  test('a pushed referrer is listed with its artifactType and all annotations, and written to the fallback tag', async () => {
    const bytes = artifact(subject, 'application/vnd.test.a', { 'org.example.k': 'v', 'org.example.k2': 'v2' })
    const res = await t.pushManifest(bytes, MediaType.ImageManifest)
    expect(res.subjectAccepted).toBe(false) // no OCI-Subject header: the layout declares that it indexes referrers itself
    // the layout indexes referrers itself: it never asks for referrers to list in a tag
    expect(await t.indexReferrers(subject, () => Promise.reject(new Error('a layout asks for nothing')))).toBe('layout')
    const want = {
      mediaType: MediaType.ImageManifest,
      digest: digestOf(bytes),
      size: bytes.length,
      artifactType: 'application/vnd.test.a',
      annotations: { 'org.example.k': 'v', 'org.example.k2': 'v2' }
    }
    expect((await t.listReferrers(subject)).descriptors).toEqual([want])
    expect(await tagSchemaEntries(t, subject.digest)).toEqual([want])
    // reachable from index.json without a ref name, so tools that scan find it even after tags move
    const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests: Descriptor[] }
    expect(index.manifests.filter(d => d.digest === want.digest && !d.annotations)).toHaveLength(1)
  })

  const referrer = (n: string) => {
    const bytes = artifact(subject, `application/vnd.test.${n}`, { n })
    const descriptor: Descriptor = {
      mediaType: MediaType.ImageManifest,
      digest: digestOf(bytes),
      size: bytes.length,
      artifactType: `application/vnd.test.${n}`,
      annotations: { n }
    }
    return { bytes, descriptor }
  }

  test('pushReferrers: indexed by the layout itself, and the scan that shows them is handed back', async () => {
    const ours = ['a', 'b', 'c'].map(referrer)
    const pushed = await t.pushReferrers(subject, ours)
    expect(pushed.indexedBy).toBe('layout')
    expect(pushed.listing.via).toBe('scan')
    const digests = ours.map(m => m.descriptor.digest).sort()
    expect(pushed.listing.descriptors.map(d => d.digest).sort()).toEqual(digests)
    expect(pushed.listing.descriptors.find(d => d.digest === ours[1]!.descriptor.digest)).toEqual(ours[1]!.descriptor)
    // and, for regctl, in the subject's referrers tag
    expect((await tagSchemaEntries(t, subject.digest)).map(d => d.digest).sort()).toEqual(digests)
  })

  test('pushReferrers: a push that fails fails the call, after the others have landed', async () => {
    const ok = ['a', 'b'].map(referrer)
    const big = new Uint8Array(4 * 1024 * 1024 + 1)
    const err = await t.pushReferrers(subject, [ok[0]!, { bytes: big, descriptor: { ...ok[0]!.descriptor, digest: digestOf(big) } }, ok[1]!]).catch(e => e)
    expect(err).toMatchObject({ code: 'SIZE_EXCEEDED' })
    expect((await t.listReferrers(subject)).descriptors.map(d => d.digest).sort()).toEqual(ok.map(m => m.descriptor.digest).sort())
  })

  test('without artifactType the config mediaType is reported', async () => {
    const cfg = { mediaType: 'application/vnd.test.config+json', digest: EMPTY_DESCRIPTOR.digest, size: 2 }
    await t.pushManifest(artifact(subject, undefined, { a: 'b' }, cfg), MediaType.ImageManifest)
    expect((await t.listReferrers(subject)).descriptors[0]!.artifactType).toBe('application/vnd.test.config+json')
  })

  test('filters by artifactType on the client', async () => {
    await t.pushManifest(artifact(subject, 'application/vnd.test.a', { n: '1' }), MediaType.ImageManifest)
    await t.pushManifest(artifact(subject, 'application/vnd.test.b', { n: '2' }), MediaType.ImageManifest)
    const all = await t.listReferrers(subject)
    expect(all.descriptors.map(d => d.artifactType).sort()).toEqual(['application/vnd.test.a', 'application/vnd.test.b'])
    const b = await t.listReferrers(subject, { artifactType: 'application/vnd.test.b' })
    expect(b.descriptors.map(d => d.annotations)).toEqual([{ n: '2' }])
    expect(b.filtersApplied).toBe(false)
  })

  test('referrers of another subject are not listed', async () => {
    const other = await resolveIn(t, 'multi')
    await t.pushManifest(artifact(other, 'application/vnd.test.a', { n: '1' }), MediaType.ImageManifest)
    expect((await t.listReferrers(subject)).descriptors).toEqual([])
    expect((await t.listReferrers(other)).descriptors).toHaveLength(1)
  })

  test('pushing the same referrer twice does not duplicate it', async () => {
    const bytes = artifact(subject, 'application/vnd.test.a', { n: '1' })
    await t.pushManifest(bytes, MediaType.ImageManifest)
    const before = await readFile(join(dir, 'index.json'), 'utf8')
    await t.pushManifest(bytes, MediaType.ImageManifest)
    expect(await readFile(join(dir, 'index.json'), 'utf8')).toBe(before)
    expect((await t.listReferrers(subject)).descriptors).toHaveLength(1)
  })

  test('foreign entries of the fallback index are kept and listed (deduped by digest)', async () => {
    // another tool (cosign, say) wrote a fallback index whose referrer blob is not in this layout
    const foreign = {
      mediaType: MediaType.ImageManifest,
      digest: digestOf('foreign'),
      size: 7,
      artifactType: 'application/vnd.dev.cosign',
      annotations: { sig: 'x' },
      extra: 1
    }
    const edit = editReferrersIndex(undefined, [])
    const idx = { ...edit.index, manifests: [foreign] }
    const { descriptor } = await t.pushManifest(bytesOf(idx), MediaType.ImageIndex, referrersTagName(subject.digest))
    expect(descriptor.mediaType).toBe(MediaType.ImageIndex)
    expect((await t.listReferrers(subject)).descriptors).toEqual([foreign])

    const mine = artifact(subject, 'application/vnd.test.a', { n: '1' })
    await t.pushManifest(mine, MediaType.ImageManifest)
    const entries = await tagSchemaEntries(t, subject.digest)
    expect(entries[0]).toEqual(foreign)
    expect(entries.map(d => d.digest)).toEqual([foreign.digest, digestOf(mine)])
    const listed = (await t.listReferrers(subject)).descriptors.map(d => d.digest)
    expect(listed.sort()).toEqual([foreign.digest, digestOf(mine)].sort())
  })

  test('a fallback tag that resolves to the subject itself is not a referrers index', async () => {
    const v1 = await t.fetchManifest('v1')
    await t.pushManifest(v1.bytes, MediaType.ImageManifest, referrersTagName(subject.digest))
    expect((await t.listReferrers(subject)).descriptors).toEqual([])
    // and writing a referrer then replaces that tag with a real index
    await t.pushManifest(artifact(subject, 'application/vnd.test.a', { n: '1' }), MediaType.ImageManifest)
    expect(await tagSchemaEntries(t, subject.digest)).toHaveLength(1)
  })

  test('another manifest under the fallback tag is neither read as an index nor overwritten', async () => {
    const other = await t.fetchManifest(FIXTURE.arm64) // an image manifest, not the subject
    await t.pushManifest(other.bytes, other.descriptor.mediaType, referrersTagName(subject.digest))
    const before = await t.fetchManifest(referrersTagName(subject.digest))
    await expect(t.pushManifest(artifact(subject, 'application/vnd.test.a', { n: '2' }), MediaType.ImageManifest)).rejects.toMatchObject({ code: 'CONFLICT' })
    expect((await t.fetchManifest(referrersTagName(subject.digest))).descriptor.digest).toBe(before.descriptor.digest)
  })

  test('referrers inside a nested index are found by the scan', async () => {
    // an index that is not itself a referrers index holds a referrer; only the index is tagged
    const ref = artifact(subject, 'application/vnd.test.nested', { deep: 'yes' })
    const refDesc = { mediaType: MediaType.ImageManifest, digest: digestOf(ref), size: ref.length }
    // store the referrer blob without any index.json entry: write the blob directly
    await writeFile(join(dir, 'blobs', 'sha256', refDesc.digest.slice(7)), ref)
    const inner = imageIndex([refDesc])
    await t.pushManifest(inner.bytes, MediaType.ImageIndex)
    const outer = imageIndex([{ mediaType: MediaType.ImageManifest, digest: FIXTURE.v1, size: FIXTURE.v1Size }, inner.descriptor])
    await t.pushManifest(outer.bytes, MediaType.ImageIndex, 'bundle')
    const listed = (await t.listReferrers(subject)).descriptors
    expect(listed).toEqual([{ ...refDesc, artifactType: 'application/vnd.test.nested', annotations: { deep: 'yes' } }])
  })

  test('an index with a subject is a referrer too', async () => {
    const { bytes } = imageIndex([], { artifactType: 'application/vnd.test.idx', subject, annotations: { i: '1' } })
    await t.pushManifest(bytes, MediaType.ImageIndex)
    expect((await t.listReferrers(subject)).descriptors).toEqual([
      { mediaType: MediaType.ImageIndex, digest: digestOf(bytes), size: bytes.length, artifactType: 'application/vnd.test.idx', annotations: { i: '1' } }
    ])
  })

  test('a referrer whose blob was corrupted is not listed by the scan', async () => {
    const bytes = artifact(subject, 'application/vnd.test.a', { n: '1' })
    const { descriptor } = await t.pushManifest(bytes, MediaType.ImageManifest)
    // remove the fallback tag so only the scan could list it
    const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests: Descriptor[] }
    index.manifests = index.manifests.filter(d => d.annotations?.[Annotation.RefName] !== referrersTagName(subject.digest))
    await writeFile(join(dir, 'index.json'), JSON.stringify(index))
    await writeFile(join(dir, 'blobs', 'sha256', descriptor.digest.slice(7)), Buffer.from(bytes).toString().replace('"n":"1"', '"n":"2"'))
    expect((await t.listReferrers(subject)).descriptors).toEqual([])
  })

  test('listing by the fixture platform subject inside an index works too', async () => {
    const arm = await resolveIn(t, FIXTURE.arm64)
    await t.pushManifest(artifact(arm, 'application/vnd.test.a', { p: 'arm64' }), MediaType.ImageManifest)
    expect((await t.listReferrers(arm)).descriptors).toHaveLength(1)
  })
})
