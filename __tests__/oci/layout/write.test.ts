import { readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { bytesOf, imageManifest } from '../../../__fixtures__/builders.js'
import { copyFixtureLayout, FIXTURE, layoutHasBlob, makeImage, resolveIn } from '../../../__fixtures__/layout.js'
import { isOciError } from '../../../src/errors.js'
import { digestOf } from '../../../src/oci/digest.js'
import { LayoutTarget } from '../../../src/oci/layout/layout-target.js'
import { Annotation, EMPTY_DESCRIPTOR, MediaType } from '../../../src/oci/media-types.js'
import { parseReference } from '../../../src/oci/reference.js'

const open = (dir: string) => new LayoutTarget(parseReference(`oci:${dir}`))
const readIndex = async (dir: string) =>
  JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string; annotations?: Record<string, string> }> }
const tagsOf = async (dir: string) => (await readIndex(dir)).manifests.map(d => d.annotations?.[Annotation.RefName])

/** A manifest whose JSON is deliberately not in canonical form: the layout must keep it byte for byte. */
/** Deliberately odd bytes (spacing, key order, non-ASCII): a store must keep them as they are. */
function oddManifest(n: number): Uint8Array {
  const config = JSON.stringify({ mediaType: MediaType.Empty, digest: EMPTY_DESCRIPTOR.digest, size: 2 })
  return bytesOf(
    `{\n  "schemaVersion" : 2,   "mediaType":"${MediaType.ImageManifest}",\n "config": ${config}, "layers": [],\n "annotations": {"n":"${n}", "é": "ü"}\n}\n`
  )
}

describe('LayoutTarget writes', () => {
  let dir: string
  beforeEach(async () => {
    dir = await copyFixtureLayout()
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  test('pushManifest stores exact bytes and fetchManifest returns them', async () => {
    const t = open(dir)
    const bytes = oddManifest(1)
    const { descriptor, subjectAccepted } = await t.pushManifest(bytes, MediaType.ImageManifest, 'odd')
    expect(subjectAccepted).toBe(false)
    expect(descriptor).toEqual({ mediaType: MediaType.ImageManifest, digest: digestOf(bytes), size: bytes.length })
    const back = await t.fetchManifest('odd')
    expect(Buffer.from(back.bytes).equals(Buffer.from(bytes))).toBe(true)
    expect(Buffer.from(await readFile(join(dir, 'blobs', 'sha256', descriptor.digest.slice(7)))).equals(Buffer.from(bytes))).toBe(true)
  })

  test('an untagged manifest without subject is stored but not added to index.json', async () => {
    const t = open(dir)
    const before = await readFile(join(dir, 'index.json'), 'utf8')
    const { descriptor } = await t.pushManifest(oddManifest(2), MediaType.ImageManifest)
    expect(await readFile(join(dir, 'index.json'), 'utf8')).toBe(before)
    expect((await resolveIn(t, descriptor.digest)).digest).toBe(descriptor.digest)
  })

  test('tag move replaces only the entry with that ref name and keeps others exactly', async () => {
    const index = await readIndex(dir)
    // a foreign entry with extra annotations and an unknown field, as another tool might leave it
    const foreign = {
      mediaType: MediaType.ImageManifest,
      digest: FIXTURE.arm64,
      size: 475,
      annotations: { 'org.example.x': 'y', [Annotation.RefName]: 'other' },
      zzz: [1]
    }
    index.manifests.push(foreign)
    ;(index as Record<string, unknown>).annotations = { 'org.example.index': 'kept' }
    await writeFile(join(dir, 'index.json'), JSON.stringify(index))

    const t = open(dir)
    const bytes = oddManifest(3)
    const { descriptor } = await t.pushManifest(bytes, MediaType.ImageManifest, 'v1')
    const after = (await readIndex(dir)) as Record<string, unknown> & { manifests: unknown[] }
    expect(after.annotations).toEqual({ 'org.example.index': 'kept' })
    expect(after.manifests).toContainEqual(foreign)
    expect(JSON.stringify(after.manifests.find(m => (m as { digest: string }).digest === FIXTURE.arm64))).toBe(JSON.stringify(foreign))
    expect(await tagsOf(dir)).toEqual(['multi', 'other', 'v1'])
    expect((await resolveIn(t, 'v1')).digest).toBe(descriptor.digest)
    expect((await resolveIn(t, 'multi')).digest).toBe(FIXTURE.multi)
  })

  test('re-tagging the same digest changes nothing on disk', async () => {
    const t = open(dir)
    const before = await readFile(join(dir, 'index.json'), 'utf8')
    const v1 = await t.fetchManifest('v1')
    await t.pushManifest(v1.bytes, MediaType.ImageManifest, 'v1')
    expect(await readFile(join(dir, 'index.json'), 'utf8')).toBe(before)
  })

  test('tagging collapses duplicate entries of one ref name that a foreign writer left', async () => {
    const index = await readIndex(dir)
    index.manifests.push({ ...index.manifests[0]!, digest: FIXTURE.arm64, size: 475 } as (typeof index.manifests)[number])
    await writeFile(join(dir, 'index.json'), JSON.stringify(index))
    const t = open(dir)
    expect((await resolveIn(t, 'v1')).digest).toBe(FIXTURE.arm64) // the last entry wins
    const v1 = await readFile(join(dir, 'blobs', 'sha256', FIXTURE.v1.slice(7)))
    await t.pushManifest(v1, MediaType.ImageManifest, 'v1')
    expect((await tagsOf(dir)).filter(x => x === 'v1')).toHaveLength(1)
    expect((await resolveIn(t, 'v1')).digest).toBe(FIXTURE.v1)
  })

  test('writes leave no temp files behind and index.json is always complete JSON', async () => {
    const t = open(dir)
    const readers: Promise<void>[] = []
    for (let i = 0; i < 10; i++) {
      await t.pushManifest(oddManifest(100 + i), MediaType.ImageManifest, `t${i}`)
      readers.push(readFile(join(dir, 'index.json'), 'utf8').then(s => void JSON.parse(s)))
    }
    await Promise.all(readers)
    const names = [...(await readdir(dir)), ...(await readdir(join(dir, 'blobs'))), ...(await readdir(join(dir, 'blobs', 'sha256')))]
    expect(names.filter(n => n.startsWith('.tmp'))).toEqual([])
  })

  test('20 parallel tagged pushes and 20 parallel referrer pushes lose nothing', async () => {
    const t = open(dir)
    const subject = await resolveIn(t, 'v1')
    const pushes = Array.from({ length: 20 }, (_, i) => t.pushManifest(oddManifest(1000 + i), MediaType.ImageManifest, `p${i}`))
    const refs = Array.from({ length: 20 }, (_, i) =>
      // a second target on the same directory: the lock is per directory, not per object
      open(dir).pushManifest(
        imageManifest({ artifactType: 'application/x.test', config: EMPTY_DESCRIPTOR, layers: [EMPTY_DESCRIPTOR], subject, annotations: { i: String(i) } })
          .bytes,
        MediaType.ImageManifest
      )
    )
    const results = await Promise.all([...pushes, ...refs])
    const tags = await tagsOf(dir)
    for (let i = 0; i < 20; i++) expect(tags).toContain(`p${i}`)
    for (let i = 0; i < 20; i++) expect((await resolveIn(t, `p${i}`)).digest).toBe(results[i]!.descriptor.digest)
    const listing = await t.listReferrers(subject)
    expect(listing.descriptors).toHaveLength(20)
    const fallback = await t.fetchManifest(`sha256-${subject.digest.slice(7)}`)
    expect((JSON.parse(Buffer.from(fallback.bytes).toString()) as { manifests: unknown[] }).manifests).toHaveLength(20)
  })

  test('a manifest over 4 MiB is refused before anything is written', async () => {
    const big = bytesOf({ schemaVersion: 2, config: EMPTY_DESCRIPTOR, layers: [], annotations: { x: 'a'.repeat(4 * 1024 * 1024) } })
    await expect(open(dir).pushManifest(big, MediaType.ImageManifest, 'big')).rejects.toMatchObject({ code: 'SIZE_EXCEEDED' })
    expect(await layoutHasBlob(dir, digestOf(big))).toBe(false)
  })

  test('malformed manifest bytes are refused', async () => {
    const err = await open(dir)
      .pushManifest(bytesOf('{"schemaVersion":2,"layers":[]}'), MediaType.ImageManifest, 'bad')
      .catch(e => e)
    expect(isOciError(err, 'INVALID_RESPONSE')).toBe(true)
    expect(await tagsOf(dir)).not.toContain('bad')
  })

  test('makeImage builds a single-platform image and a multi-platform index', async () => {
    const one = await makeImage(dir, 'one', { annotations: { a: 'b' } })
    expect(one.descriptor.mediaType).toBe(MediaType.ImageManifest)
    expect((await resolveIn(one.target, 'one')).digest).toBe(digestOf(one.bytes))
    const many = await makeImage(dir, 'many', { platforms: ['linux/amd64', 'linux/arm64'] })
    expect(many.descriptor.mediaType).toBe(MediaType.ImageIndex)
    const idx = JSON.parse(Buffer.from((await many.target.fetchManifest('many')).bytes).toString()) as { manifests: Array<{ digest: string }> }
    for (const m of idx.manifests) expect(await many.target.manifestExists(m.digest)).toBe(true)
  })
})
