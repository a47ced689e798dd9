import { bytesOf } from '../../__fixtures__/builders.js'
import { isOciError, type OciError } from '../../src/errors.js'
import { digestOf } from '../../src/oci/digest.js'
import { EMPTY_DESCRIPTOR, MediaType } from '../../src/oci/media-types.js'
import { cleanDescriptor, isIndex, manifestMediaType, parseManifest } from '../../src/oci/types.js'

const D = digestOf('x')
const layer = { mediaType: MediaType.LayerGzip, digest: D, size: 10 }
const config = { mediaType: MediaType.ImageConfig, digest: D, size: 3 }

function parseError(bytes: Uint8Array, what?: string): OciError {
  try {
    parseManifest(bytes, what)
  } catch (e) {
    expect(isOciError(e, 'INVALID_RESPONSE')).toBe(true)
    return e as OciError
  }
  throw new Error('expected parseManifest to throw')
}

describe('parseManifest accepts', () => {
  test.each([
    ['an OCI image manifest', { schemaVersion: 2, mediaType: MediaType.ImageManifest, config, layers: [layer] }, false],
    ['a manifest without mediaType', { schemaVersion: 2, config, layers: [] }, false],
    [
      'an artifact manifest with subject and annotations',
      {
        schemaVersion: 2,
        mediaType: MediaType.ImageManifest,
        artifactType: 'application/vnd.oci-build-metadata.v1+json',
        config: EMPTY_DESCRIPTOR,
        layers: [EMPTY_DESCRIPTOR],
        subject: { mediaType: MediaType.ImageManifest, digest: D, size: 1 },
        annotations: { a: 'b' }
      },
      false
    ],
    [
      'a Docker v2 manifest',
      {
        schemaVersion: 2,
        mediaType: MediaType.DockerManifest,
        config: { mediaType: MediaType.DockerConfig, digest: D, size: 1 },
        layers: [{ mediaType: MediaType.DockerLayerGzip, digest: D, size: 2 }]
      },
      false
    ],
    [
      'an OCI index',
      {
        schemaVersion: 2,
        mediaType: MediaType.ImageIndex,
        manifests: [{ mediaType: MediaType.ImageManifest, digest: D, size: 1, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }]
      },
      true
    ],
    ['an empty index without mediaType', { schemaVersion: 2, manifests: [] }, true],
    [
      'a Docker manifest list',
      {
        schemaVersion: 2,
        mediaType: MediaType.DockerManifestList,
        manifests: [{ mediaType: MediaType.DockerManifest, digest: D, size: 1, platform: { os: 'linux', architecture: 'amd64' } }]
      },
      true
    ],
    ['unknown fields (kept)', { schemaVersion: 2, config: { ...config, 'x-extra': 1 }, layers: [], 'x-top': true }, false],
    ['a media type with parameters', { schemaVersion: 2, config: { ...config, mediaType: 'application/json; charset=utf-8' }, layers: [] }, false],
    ['a sha512 digest', { schemaVersion: 2, config: { ...config, digest: digestOf('x', 'sha512') }, layers: [] }, false]
  ])('%s', (_name, doc, index) => {
    const m = parseManifest(bytesOf(doc))
    expect(isIndex(m)).toBe(index)
    if ('x-top' in doc) expect((m as Record<string, unknown>)['x-top']).toBe(true)
  })

  test('a UTF-8 BOM-free body with non-ASCII annotations', () => {
    const m = parseManifest(bytesOf({ schemaVersion: 2, config, layers: [], annotations: { 'org.opencontainers.image.title': 'ünïcödé ✓' } }))
    expect(m.annotations?.['org.opencontainers.image.title']).toBe('ünïcödé ✓')
  })

  test('manifestMediaType: declared, else implied by the shape', () => {
    expect(manifestMediaType(parseManifest(bytesOf({ schemaVersion: 2, config, layers: [] })))).toBe(MediaType.ImageManifest)
    expect(manifestMediaType(parseManifest(bytesOf({ schemaVersion: 2, manifests: [] })))).toBe(MediaType.ImageIndex)
    expect(manifestMediaType(parseManifest(bytesOf({ schemaVersion: 2, mediaType: MediaType.DockerManifest, config, layers: [] })))).toBe(
      MediaType.DockerManifest
    )
  })
})

describe('parseManifest rejects, naming the path', () => {
  test.each([
    ['schemaVersion 1', { schemaVersion: 1, config, layers: [] }, 'schemaVersion'],
    ['no schemaVersion', { config, layers: [] }, 'schemaVersion'],
    ['no config', { schemaVersion: 2, layers: [] }, 'config'],
    ['layers not an array', { schemaVersion: 2, config, layers: {} }, 'layers'],
    ['a bad layer digest', { schemaVersion: 2, config, layers: [layer, { ...layer, digest: 'sha256' }] }, 'layers.1.digest'],
    ['a negative size', { schemaVersion: 2, config: { ...config, size: -1 }, layers: [] }, 'config.size'],
    ['a fractional size', { schemaVersion: 2, config: { ...config, size: 1.5 }, layers: [] }, 'config.size'],
    ['a bad media type', { schemaVersion: 2, config: { ...config, mediaType: 'not a media type' }, layers: [] }, 'config.mediaType'],
    ['non-string annotations', { schemaVersion: 2, config, layers: [], annotations: { a: 1 } }, 'annotations.a'],
    ['a bad subject', { schemaVersion: 2, config, layers: [], subject: { digest: D } }, 'subject.mediaType'],
    ['an index entry without size', { schemaVersion: 2, manifests: [{ mediaType: MediaType.ImageManifest, digest: D }] }, 'manifests.0.size'],
    [
      'an index entry with a bad platform',
      { schemaVersion: 2, manifests: [{ mediaType: MediaType.ImageManifest, digest: D, size: 1, platform: { os: 'linux' } }] },
      'manifests.0.platform.architecture'
    ],
    ['an array', [], '(root)'],
    ['null', null, '(root)'],
    ['a string', 'just text', '(root)']
  ])('%s', (_name, doc, path) => {
    const err = parseError(bytesOf(JSON.stringify(doc)), 'manifest ghcr.io/o/r:v1')
    expect(err.message).toContain('manifest ghcr.io/o/r:v1 is malformed at ')
    expect(err.message).toContain(` at ${path}:`)
  })

  test.each([
    ['empty body', new Uint8Array()],
    ['truncated JSON', bytesOf('{"schemaVersion":2,')],
    ['HTML error page', bytesOf('<html><body>502 Bad Gateway</body></html>')],
    ['invalid UTF-8', new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])],
    ['a lone surrogate half encoded as UTF-8', new Uint8Array([0x7b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x3a, 0x31, 0x7d])]
  ])('%s is not valid JSON', (_name, bytes) => {
    const err = parseError(bytes, 'manifest x')
    expect(err.message).toBe('manifest x is not valid JSON')
    expect(err.cause).toBeDefined()
  })
})

describe('cleanDescriptor', () => {
  test('keeps spec fields and drops data and unknown fields unless asked', () => {
    const d = { mediaType: MediaType.ImageManifest, digest: D, size: 1, data: 'e30=', annotations: { a: 'b' }, artifactType: 'x/y', 'x-extra': 1 }
    expect(cleanDescriptor(d)).toEqual({ mediaType: MediaType.ImageManifest, digest: D, size: 1, artifactType: 'x/y', annotations: { a: 'b' } })
    expect(cleanDescriptor(d, true).data).toBe('e30=')
  })
  test('drops empty annotations and copies the object', () => {
    const ann = { a: 'b' }
    const out = cleanDescriptor({ mediaType: MediaType.ImageManifest, digest: D, size: 1, annotations: ann })
    expect(out.annotations).not.toBe(ann)
    expect(cleanDescriptor({ mediaType: MediaType.ImageManifest, digest: D, size: 1, annotations: {} })).not.toHaveProperty('annotations')
  })
})
