import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { copyFixtureLayout, FIXTURE, FIXTURE_LAYOUT_DIR, resolveIn } from '../../../__fixtures__/layout.js'
import { describeError, isOciError, type OciError } from '../../../src/errors.js'
import { digestOf } from '../../../src/oci/digest.js'
import { LayoutTarget } from '../../../src/oci/layout/layout-target.js'
import { MediaType } from '../../../src/oci/media-types.js'
import { parseReference } from '../../../src/oci/reference.js'
import { isIndex, parseManifest } from '../../../src/oci/types.js'

const open = (dir: string) => new LayoutTarget(parseReference(`oci:${dir}`))
const blobFile = (dir: string, digest: string) => join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length))

async function expectCode(p: Promise<unknown>, code: string): Promise<OciError> {
  try {
    await p
  } catch (e) {
    expect(isOciError(e)).toBe(true)
    expect((e as OciError).code).toBe(code)
    return e as OciError
  }
  throw new Error(`expected ${code}, got success`)
}

describe('LayoutTarget reads', () => {
  let dir: string
  beforeEach(async () => {
    dir = await copyFixtureLayout()
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  test('copyFixtureLayout gives a fresh copy, not the committed directory', () => {
    expect(dir).not.toBe(FIXTURE_LAYOUT_DIR)
  })

  test('resolves a tag to the manifest descriptor', async () => {
    const t = open(dir)
    expect(await resolveIn(t, 'v1')).toEqual({ mediaType: MediaType.ImageManifest, digest: FIXTURE.v1, size: FIXTURE.v1Size })
    const multi = await resolveIn(t, 'multi')
    expect(multi.mediaType).toBe(MediaType.ImageIndex)
    expect(multi.digest).toBe(FIXTURE.multi)
  })

  test('resolves a digest, including one only reachable through an index', async () => {
    const t = open(dir)
    expect((await resolveIn(t, FIXTURE.v1)).digest).toBe(FIXTURE.v1)
    const arm = await resolveIn(t, FIXTURE.arm64)
    expect(arm).toMatchObject({ mediaType: MediaType.ImageManifest, digest: FIXTURE.arm64 })
  })

  test('fetchManifest returns the exact bytes of the blob file', async () => {
    const t = open(dir)
    const { bytes, descriptor } = await t.fetchManifest('multi')
    expect(Buffer.from(bytes).equals(await readFile(blobFile(dir, FIXTURE.multi)))).toBe(true)
    expect(digestOf(bytes)).toBe(descriptor.digest)
    const m = parseManifest(bytes)
    expect(isIndex(m) && m.manifests.map(d => d.digest)).toEqual([FIXTURE.amd64, FIXTURE.arm64])
  })

  test('fetchManifest accepts a descriptor and checks its size', async () => {
    const t = open(dir)
    const ok = await t.fetchManifest({ mediaType: MediaType.ImageManifest, digest: FIXTURE.v1, size: FIXTURE.v1Size })
    expect(ok.bytes.length).toBe(FIXTURE.v1Size)
    await expectCode(t.fetchManifest({ mediaType: MediaType.ImageManifest, digest: FIXTURE.v1, size: 3 }), 'DIGEST_MISMATCH')
  })

  test('a corrupted manifest blob is detected', async () => {
    const file = blobFile(dir, FIXTURE.v1)
    const text = await readFile(file, 'utf8')
    await writeFile(file, text.replace('amd64', 'arm64').replace('"schemaVersion":2', '"schemaVersion":2 '))
    const e = await expectCode(open(dir).fetchManifest('v1'), 'DIGEST_MISMATCH')
    expect(e.message).toContain(FIXTURE.v1)
  })

  test('a corrupted layer blob is detected by fetchBlob', async () => {
    const file = blobFile(dir, FIXTURE.layer)
    const bytes = await readFile(file)
    bytes[600] = bytes[600]! ^ 0xff
    await writeFile(file, bytes)
    await expectCode(open(dir).fetchBlob({ mediaType: MediaType.Layer, digest: FIXTURE.layer, size: bytes.length }), 'DIGEST_MISMATCH')
  })

  test('fetchBlob returns verified bytes and honours maxBytes', async () => {
    const t = open(dir)
    const d = { mediaType: MediaType.Layer, digest: FIXTURE.layer, size: 2048 }
    const bytes = await t.fetchBlob(d)
    expect(bytes.length).toBe(2048)
    expect(Buffer.from(bytes.subarray(0, 9)).toString()).toBe('hello.txt')
    await expectCode(t.fetchBlob(d, 1024), 'SIZE_EXCEEDED')
  })

  test('existence checks', async () => {
    const t = open(dir)
    expect(await t.manifestExists(FIXTURE.arm64)).toBe(true)
    expect(await t.manifestExists(digestOf('nope'))).toBe(false)
    await expect(t.fetchBlob({ mediaType: MediaType.ImageConfig, digest: digestOf('nope'), size: 4 })).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  test('an unknown tag is NOT_FOUND and names the tag and the directory', async () => {
    const e = await expectCode(resolveIn(open(dir), 'v2'), 'NOT_FOUND')
    expect(e.message).toContain('"v2"')
    expect(e.message).toContain(dir)
  })

  test('a missing manifest blob is NOT_FOUND', async () => {
    await unlink(blobFile(dir, FIXTURE.v1))
    await expectCode(open(dir).fetchManifest('v1'), 'NOT_FOUND')
    await expectCode(resolveIn(open(dir), digestOf('absent')), 'NOT_FOUND')
  })

  test('a malformed digest is an invalid reference, not "not found"', async () => {
    await expectCode(resolveIn(open(dir), 'sha256:abc'), 'INVALID_REFERENCE')
  })

  test('a layout serves no referrers API: its referrers are found by a scan; describe names the directory', async () => {
    const t = open(dir)
    expect((await t.listReferrers({ mediaType: MediaType.ImageManifest, digest: FIXTURE.arm64, size: 1 })).via).toBe('scan')
    expect(t.describe()).toBe(`oci:${dir}`)
  })
})

describe('LayoutTarget on something that is not a layout', () => {
  test('a missing directory says so and what to do', async () => {
    const dir = join(tmpdir(), `obm-missing-${process.pid}-${Date.now()}`)
    const e = await expectCode(resolveIn(open(dir), 'v1'), 'NOT_FOUND')
    expect(e.message).toContain(`no OCI layout at ${dir}`)
    expect(describeError(e)).toMatch(/\(the directory does not exist\)\. Create one with .*, or check the path\.$/)
  })

  test('a directory without oci-layout says the file is missing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'obm-empty-'))
    try {
      await writeFile(join(dir, 'index.json'), '{"schemaVersion":2,"manifests":[]}')
      const e = await expectCode(open(dir).listReferrers({ mediaType: MediaType.ImageManifest, digest: FIXTURE.v1, size: 1 }), 'NOT_FOUND')
      expect(e.message).toContain('missing oci-layout file')
      expect(describeError(e)).toContain('(missing oci-layout file). Create one with')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  test('a write to a missing layout is refused, and creates nothing', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'obm-new-')), 'layout')
    try {
      await expectCode(open(dir).pushBlob({ bytes: new Uint8Array([1]) }), 'NOT_FOUND')
      await expect(readFile(join(dir, 'oci-layout'), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' })
    } finally {
      await rm(join(dir, '..'), { recursive: true, force: true })
    }
  })

  test('a registry reference is refused', () => {
    expect(() => new LayoutTarget(parseReference('nginx'))).toThrow(/not an OCI layout reference/)
  })

  test('an unsupported imageLayoutVersion is refused', async () => {
    const dir = await copyFixtureLayout()
    try {
      await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"2.0.0"}')
      await expectCode(resolveIn(open(dir), 'v1'), 'UNSUPPORTED')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
