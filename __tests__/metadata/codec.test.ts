import { gzipSync } from 'node:zlib'
import { describeError, isOciError, type OciError } from '../../src/errors.js'
import { digestOf } from '../../src/oci/digest.js'
import { buildDocument } from '../../src/metadata/document.js'
import {
  DEFAULT_ANNOTATION_PREFIX,
  GZIP_THRESHOLD_BYTES,
  MAX_DECODED_BYTES,
  MAX_INLINE_DOCUMENT_BYTES,
  canonicalJson,
  decodeDocument,
  decodeDocumentBytes,
  encodeDocument,
  summaryAnnotations,
  type Encoding
} from '../../src/metadata/codec.js'
import type { BuildMetadata } from '../../src/metadata/schema.js'
import { CREATED, SHA, githubCi, image } from './sample.js'

const P = DEFAULT_ANNOTATION_PREFIX

function doc(user?: Record<string, unknown>): BuildMetadata {
  return buildDocument({ ci: githubCi, image, ...(user ? { user } : {}), created: CREATED })
}

/** Pseudo-random words: compressible like real JSON, but not trivially. */
function filler(bytes: number): Record<string, string> {
  const out: Record<string, string> = {}
  let seed = 7
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648)
  let n = 0
  for (let i = 0; n < bytes; i++) {
    const v = Array.from({ length: 12 }, () => 'abcdefghijklmnopqrstuvwxyz'[next() % 26]).join('')
    out[`k${i}`] = v
    n += v.length + 10
  }
  return out
}

function thrown(fn: () => unknown): OciError {
  try {
    fn()
  } catch (e) {
    return e as OciError
  }
  throw new Error('expected an error')
}

describe('canonicalJson', () => {
  it('sorts keys at every level, writes no whitespace and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: [{ z: true, y: null }, 'x'], c: undefined, é: 'ü', A: 1.5 })).toBe('{"A":1.5,"a":[{"y":null,"z":true},"x"],"b":1,"é":"ü"}')
  })
  it('gives the exact bytes the digest is over', () => {
    const d = doc()
    const enc = encodeDocument(d)
    expect(Buffer.from(enc.canonical).toString('utf8')).toBe(canonicalJson(d))
    expect(enc.documentDigest).toBe(digestOf(enc.canonical))
    expect(canonicalJson(JSON.parse(JSON.stringify(d, null, 2)))).toBe(canonicalJson(d))
  })
  it('refuses values JSON cannot hold', () => {
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(TypeError)
    expect(() => canonicalJson({ x: 1n })).toThrow(TypeError)
  })
})

describe('encodeDocument / decodeDocument', () => {
  it.each<[string, BuildMetadata, Encoding]>([
    ['a small ASCII document → json', doc({ team: 'platform' }), 'json'],
    ['a small document with non-ASCII text → base64', doc({ team: 'plateforme ü 日本' }), 'base64'],
    ['a document over the gzip threshold → gzip+base64', doc(filler(GZIP_THRESHOLD_BYTES * 3)), 'gzip+base64']
  ])('%s, and back exactly', (_n, d, encoding) => {
    const enc = encodeDocument(d)
    expect(enc.encoding).toBe(encoding)
    expect(enc.inline).toBe(true)
    expect(Object.keys(enc.annotations).sort()).toEqual([P, `${P}.digest`, `${P}.encoding`, `${P}.version`])
    expect(enc.annotations[`${P}.version`]).toBe('1')
    expect(enc.annotations[`${P}.encoding`]).toBe(encoding)
    expect(enc.annotations[`${P}.digest`]).toBe(enc.documentDigest)
    if (encoding === 'json') expect(enc.annotations[P]).toBe(canonicalJson(d))
    const back = decodeDocument(enc.annotations)
    expect(back).toMatchObject({ inline: true, encoding, version: 1, documentDigest: enc.documentDigest })
    expect(back?.inline && back.document).toEqual(d)
    expect(back?.inline && Buffer.from(back.canonical).equals(Buffer.from(enc.canonical))).toBe(true)
  })

  it('compresses a large document well below its JSON size', () => {
    const d = doc(filler(40 * 1024))
    const enc = encodeDocument(d)
    expect(enc.annotations[P]!.length).toBeLessThan(enc.canonical.length * 0.8)
  })

  it('is deterministic: same document, same annotations', () => {
    const d = doc(filler(GZIP_THRESHOLD_BYTES * 2))
    expect(encodeDocument(d).annotations).toEqual(encodeDocument(structuredClone(d)).annotations)
  })

  it('uses a custom prefix and ignores other keys around it', () => {
    const enc = encodeDocument(doc(), { prefix: 'com.example.build' })
    expect(enc.annotations['com.example.build.version']).toBe('1')
    const ann = { ...enc.annotations, 'org.opencontainers.image.created': 'x', [`${P}.version`]: '1' }
    expect(decodeDocument(ann, { prefix: 'com.example.build' })?.inline).toBe(true)
    expect(() => encodeDocument(doc(), { prefix: 'not a domain' })).toThrow(/reverse-domain/)
  })

  it('moves a document over maxInlineBytes out of the annotations, leaving a summary', () => {
    const d = doc(filler(4096))
    const enc = encodeDocument(d, { maxInlineBytes: 512 })
    expect(enc.inline).toBe(false)
    expect(enc.encoding).toBe('json')
    expect(enc.annotations).toEqual(summaryAnnotations(d, enc.documentDigest))
    expect(enc.annotations).toMatchObject({
      [`${P}.version`]: '1',
      [`${P}.digest`]: enc.documentDigest,
      [`${P}.layer`]: 'true',
      [`${P}.commit`]: SHA,
      [`${P}.ref`]: 'refs/heads/feature/new-ui',
      [`${P}.created`]: '2024-05-14T09:12:44.000Z'
    })
    expect(enc.annotations[P]).toBeUndefined()
    const ref = decodeDocument(enc.annotations)
    expect(ref).toMatchObject({ inline: false, version: 1, documentDigest: enc.documentDigest })
    // the blob path
    expect(decodeDocumentBytes(enc.canonical, enc.documentDigest).document).toEqual(d)
  })

  it('keeps a default-sized document inline (MAX_INLINE_DOCUMENT_BYTES)', () => {
    expect(encodeDocument(doc(filler(MAX_INLINE_DOCUMENT_BYTES))).inline).toBe(true)
  })

  it('returns undefined when no metadata is there', () => {
    expect(decodeDocument({})).toBeUndefined()
    expect(decodeDocument({ 'org.opencontainers.image.created': 'x', [`${P}.other`]: 'y' })).toBeUndefined()
  })

  it('refuses to encode an invalid document', () => {
    expect(() => encodeDocument({ ...doc(), schemaVersion: 3 } as unknown as BuildMetadata)).toThrow(/invalid metadata document/)
  })
})

describe('decodeDocument refuses what it cannot trust', () => {
  const good = encodeDocument(doc()).annotations
  it.each<[string, Record<string, string>, string, RegExp]>([
    ['a changed payload (digest mismatch)', { ...good, [P]: good[P]!.replace('octocat', 'mallory') }, 'DIGEST_MISMATCH', /does not match its digest/],
    ['a missing digest', { ...good, [`${P}.digest`]: undefined as unknown as string }, 'INVALID_RESPONSE', /digest is missing/],
    ['an unknown encoding', { ...good, [`${P}.encoding`]: 'zstd' }, 'INVALID_RESPONSE', /"zstd", which this tool does not know/],
    ['bad base64', { ...good, [`${P}.encoding`]: 'base64', [P]: 'not*base64' }, 'INVALID_RESPONSE', /not valid base64/],
    ['bad gzip', { ...good, [`${P}.encoding`]: 'gzip+base64', [P]: Buffer.from('not gzip').toString('base64') }, 'INVALID_RESPONSE', /not valid gzip/],
    ['a bad version', { ...good, [`${P}.version`]: 'one' }, 'INVALID_RESPONSE', /not a version number/],
    ['a version with no payload or layer', { [`${P}.version`]: '1', [`${P}.digest`]: good[`${P}.digest`]! }, 'INVALID_RESPONSE', /neither/]
  ])('%s', (_n, ann, code, msg) => {
    const clean = Object.fromEntries(Object.entries(ann).filter(([, v]) => v !== undefined))
    const e = thrown(() => decodeDocument(clean))
    expect(isOciError(e, code as OciError['code'])).toBe(true)
    expect(e.message).toMatch(msg)
  })

  it('refuses a document that fails the schema, even with a matching digest', () => {
    const text = canonicalJson({ ...doc(), image: { original: 'x' } })
    const e = thrown(() => decodeDocument({ [P]: text, [`${P}.version`]: '1', [`${P}.encoding`]: 'json', [`${P}.digest`]: digestOf(text) }))
    expect(isOciError(e, 'INVALID_RESPONSE')).toBe(true)
    expect(e.message).toMatch(/image\.registry/)
  })

  it('refuses a newer version, naming both versions', () => {
    const text = canonicalJson({ ...doc(), schemaVersion: 3 })
    const ann = { [P]: text, [`${P}.version`]: '3', [`${P}.encoding`]: 'json', [`${P}.digest`]: digestOf(text) }
    const e = thrown(() => decodeDocument(ann))
    expect(isOciError(e, 'UNSUPPORTED')).toBe(true)
    expect(describeError(e)).toBe('metadata version 3 is newer than this tool reads (2). Upgrade oci-build-metadata.')
    // and from the bytes alone (the layer path)
    expect(thrown(() => decodeDocumentBytes(Buffer.from(text))).message).toMatch(/version 3 is newer than this tool reads \(2\)/)
  })

  it('refuses a version annotation that disagrees with the document', () => {
    const text = canonicalJson(doc())
    const e = thrown(() => decodeDocument({ [P]: text, [`${P}.version`]: '0', [`${P}.encoding`]: 'json', [`${P}.digest`]: digestOf(text) }))
    expect(isOciError(e, 'INVALID_RESPONSE')).toBe(true)
  })

  it('stops a gzip bomb at MAX_DECODED_BYTES, quickly', () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20), { level: 9 }) // 64 MiB of spaces in ~64 KiB
    expect(bomb.length).toBeLessThan(128 * 1024)
    const ann = { [P]: bomb.toString('base64'), [`${P}.version`]: '1', [`${P}.encoding`]: 'gzip+base64', [`${P}.digest`]: `sha256:${'0'.repeat(64)}` }
    const rss = process.memoryUsage().rss
    const t = Date.now()
    const e = thrown(() => decodeDocument(ann))
    expect(Date.now() - t).toBeLessThan(2000)
    expect(isOciError(e, 'SIZE_EXCEEDED')).toBe(true)
    expect(e.message).toContain(String(MAX_DECODED_BYTES))
    expect(process.memoryUsage().rss - rss).toBeLessThan(48 * 1024 * 1024)
  })

  it('refuses blob bytes over the cap and with the wrong digest', () => {
    expect(
      isOciError(
        thrown(() => decodeDocumentBytes(new Uint8Array(MAX_DECODED_BYTES + 1))),
        'SIZE_EXCEEDED'
      )
    ).toBe(true)
    const bytes = Buffer.from(canonicalJson(doc()))
    expect(
      isOciError(
        thrown(() => decodeDocumentBytes(bytes, `sha256:${'f'.repeat(64)}`)),
        'DIGEST_MISMATCH'
      )
    ).toBe(true)
    expect(
      isOciError(
        thrown(() => decodeDocumentBytes(Buffer.from('{not json'))),
        'INVALID_RESPONSE'
      )
    ).toBe(true)
  })
})
