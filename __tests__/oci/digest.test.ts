import { createHash } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isOciError, type OciError } from '../../src/errors.js'
import { digestFile, digestOf, DIGEST_PATTERN, isDigest, newHash, parseDigest, verifyBytes } from '../../src/oci/digest.js'
import { EMPTY_DESCRIPTOR, EMPTY_JSON } from '../../src/oci/media-types.js'

const HEX64 = 'a'.repeat(64)
const HEX128 = 'b'.repeat(128)

describe('parseDigest', () => {
  test.each([
    [`sha256:${HEX64}`, 'sha256', HEX64],
    [`sha512:${HEX128}`, 'sha512', HEX128],
    [EMPTY_DESCRIPTOR.digest, 'sha256', EMPTY_DESCRIPTOR.digest.slice(7)]
  ])('accepts %s', (d, algorithm, hex) => {
    expect(parseDigest(d)).toEqual({ algorithm, hex })
    expect(isDigest(d)).toBe(true)
    expect(DIGEST_PATTERN.test(d)).toBe(true)
  })

  test.each([
    ['', /expected <algorithm>:<hex>/],
    ['sha256', /expected <algorithm>:<hex>/],
    [HEX64, /expected <algorithm>:<hex>/],
    ['sha256:', /expected <algorithm>:<hex>/],
    [`SHA256:${HEX64}`, /expected <algorithm>:<hex>/],
    [`md5:${'a'.repeat(32)}`, /unsupported digest algorithm "md5"/],
    [`sha384:${'a'.repeat(96)}`, /unsupported digest algorithm "sha384"/],
    [`sha256+b64u:${HEX64}`, /unsupported digest algorithm "sha256\+b64u"/],
    [`sha256:${'A'.repeat(64)}`, /64 lowercase hex digits/],
    [`sha256:${'a'.repeat(63)}`, /64 lowercase hex digits/],
    [`sha256:${'a'.repeat(65)}`, /64 lowercase hex digits/],
    [`sha256:${'g'.repeat(64)}`, /64 lowercase hex digits/],
    [`sha512:${HEX64}`, /128 lowercase hex digits/],
    [`sha256:${HEX64} `, /expected <algorithm>:<hex>/]
  ])('rejects %j', (d, msg) => {
    let err: unknown
    try {
      parseDigest(d)
    } catch (e) {
      err = e
    }
    expect(isOciError(err, 'INVALID_REFERENCE')).toBe(true)
    expect((err as Error).message).toMatch(msg)
    expect((err as Error).message).toContain(`"${d}"`)
    expect(isDigest(d)).toBe(false)
  })
})

describe('digestOf and newHash', () => {
  test('the empty descriptor digest is the sha256 of {}', () => {
    expect(digestOf(EMPTY_JSON)).toBe(EMPTY_DESCRIPTOR.digest)
    expect(digestOf('{}')).toBe(EMPTY_DESCRIPTOR.digest)
  })
  test('sha512', () => {
    expect(digestOf('abc', 'sha512')).toBe(`sha512:${createHash('sha512').update('abc').digest('hex')}`)
    expect(parseDigest(digestOf('abc', 'sha512')).hex).toHaveLength(128)
  })
  test('newHash defaults to sha256', () => {
    expect(newHash().update('x').digest('hex')).toBe(digestOf('x').slice(7))
  })
})

describe('digestFile', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'obm-digest-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  test.each([0, 1, 1 << 20, (1 << 20) + 7, 3 * (1 << 20) + 123])('a file of %i bytes digests like its bytes', async n => {
    const bytes = Buffer.alloc(n)
    for (let i = 0; i < n; i++) bytes[i] = (i * 31 + (i >> 8)) & 0xff
    const file = join(dir, `f${n}`)
    await writeFile(file, bytes)
    expect(await digestFile(file)).toEqual({ digest: digestOf(bytes), size: n })
    expect((await digestFile(file, 'sha512')).digest).toBe(digestOf(bytes, 'sha512'))
  })

  test('a missing file rejects', async () => {
    await expect(digestFile(join(dir, 'nope'))).rejects.toThrow(/ENOENT/)
  })
})

describe('verifyBytes', () => {
  const bytes = new TextEncoder().encode('hello')
  test('passes for matching sha256 and sha512 digests', () => {
    expect(() => verifyBytes(bytes, digestOf(bytes), 'blob')).not.toThrow()
    expect(() => verifyBytes(bytes, digestOf(bytes, 'sha512'), 'blob')).not.toThrow()
  })
  test('a mismatch is DIGEST_MISMATCH naming what, expected and actual', () => {
    const expected = digestOf('other')
    let err: OciError | undefined
    try {
      verifyBytes(bytes, expected, 'manifest ghcr.io/o/r:v1')
    } catch (e) {
      err = e as OciError
    }
    expect(err?.code).toBe('DIGEST_MISMATCH')
    expect(err?.message).toContain('manifest ghcr.io/o/r:v1')
    expect(err?.message).toContain(expected)
    expect(err?.message).toContain(digestOf(bytes))
    expect(err?.hint).toBeTruthy()
  })
  test('a malformed expected digest is an invalid reference', () => {
    expect(() => verifyBytes(bytes, 'sha256:zz', 'blob')).toThrow(expect.objectContaining({ code: 'INVALID_REFERENCE' }))
  })
})
