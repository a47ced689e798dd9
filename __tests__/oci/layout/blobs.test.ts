import { createWriteStream } from 'node:fs'
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { copyFixtureLayout, layoutHasBlob } from '../../../__fixtures__/layout.js'
import { digestFile, digestOf } from '../../../src/oci/digest.js'
import { LayoutTarget } from '../../../src/oci/layout/layout-target.js'
import { parseReference } from '../../../src/oci/reference.js'

const open = (dir: string) => new LayoutTarget(parseReference(`oci:${dir}`))
const MiB = 1024 * 1024

async function writeBigFile(path: string, mib: number): Promise<void> {
  const out = createWriteStream(path)
  const chunk = Buffer.alloc(MiB)
  for (let i = 0; i < mib; i++) {
    chunk.fill(i % 251)
    chunk.writeUInt32BE(i, 0)
    if (!out.write(chunk)) await new Promise<void>(r => out.once('drain', () => r()))
  }
  await new Promise<void>((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res())))
}

describe('LayoutTarget blobs', () => {
  let dir: string
  let scratch: string
  beforeEach(async () => {
    dir = await copyFixtureLayout()
    scratch = await mkdtemp(join(tmpdir(), 'obm-scratch-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
    await rm(scratch, { recursive: true, force: true })
  })

  test('pushBlob from bytes stores them under their digest', async () => {
    const bytes = new TextEncoder().encode('{"a":1}')
    const d = await open(dir).pushBlob({ bytes }, { mediaType: 'application/json' })
    expect(d).toEqual({ mediaType: 'application/json', digest: digestOf(bytes), size: 7 })
    expect(await readFile(join(dir, 'blobs', 'sha256', d.digest.slice(7)), 'utf8')).toBe('{"a":1}')
    expect(await open(dir).fetchBlob(d)).toEqual(bytes)
  })

  test('pushBlob from a file skips the copy when the digest is already present', async () => {
    const file = join(scratch, 'f')
    await writeFile(file, 'content')
    const t = open(dir)
    const first = await t.pushBlob({ path: file })
    expect(first.mediaType).toBe('application/octet-stream')
    const blob = join(dir, 'blobs', 'sha256', first.digest.slice(7))
    const mtime = (await stat(blob)).mtimeMs
    await rm(file)
    // the file is gone: only a skip can succeed
    expect(await t.pushBlob({ path: file, digest: first.digest, size: 7 })).toMatchObject({ digest: first.digest, size: 7 })
    expect((await stat(blob)).mtimeMs).toBe(mtime)
  })

  test('pushBlob from a file refuses content that does not match the given digest and stores nothing', async () => {
    const file = join(scratch, 'f')
    await writeFile(file, 'content')
    const wrong = digestOf('other')
    await expect(open(dir).pushBlob({ path: file, digest: wrong })).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' })
    expect(await layoutHasBlob(dir, wrong)).toBe(false)
    expect(await layoutHasBlob(dir, digestOf('content'))).toBe(false)
    expect((await readdir(join(dir, 'blobs'))).filter(n => n.startsWith('.tmp'))).toEqual([])
  })

  test('a damaged copy of a small blob is repaired by pushing the bytes again', async () => {
    const bytes = new TextEncoder().encode('repair me')
    const t = open(dir)
    const d = await t.pushBlob({ bytes })
    await writeFile(join(dir, 'blobs', 'sha256', d.digest.slice(7)), 'repair mE')
    await expect(t.fetchBlob(d)).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' })
    await t.pushBlob({ bytes })
    expect(await t.fetchBlob(d)).toEqual(bytes)
  })

  test('a 50 MiB file is streamed: the blob is right and memory stays well below the file size', async () => {
    const file = join(scratch, 'big')
    await writeBigFile(file, 50)
    const want = await digestFile(file)
    const t = open(dir)
    const base = process.memoryUsage().rss
    let peak = base
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss)
    }, 5)
    let d: Awaited<ReturnType<typeof t.pushBlob>> | undefined
    try {
      d = await t.pushBlob({ path: file }, { mediaType: 'application/spdx+json' })
    } finally {
      clearInterval(timer)
    }
    peak = Math.max(peak, process.memoryUsage().rss)
    expect(d).toEqual({ mediaType: 'application/spdx+json', digest: want.digest, size: 50 * MiB })
    expect(await digestFile(join(dir, 'blobs', 'sha256', want.digest.slice(7)))).toEqual(want)
    // coarse: reading the file into memory would add at least 50 MiB
    if (process.env.OBM_DEBUG_RSS) console.log(`rss delta ${((peak - base) / MiB).toFixed(1)} MiB`)
    expect(peak - base).toBeLessThan(30 * MiB)
  })
})
