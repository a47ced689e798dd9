import { annotateManifest } from '../../src/attach/annotations.js'
import { MAX_MANIFEST_BYTES } from '../../src/oci/limits.js'
import { buildArtifactManifest } from '../../src/attach/manifest.js'
import { decodeDocument } from '../../src/metadata/codec.js'
import type { BuildMetadata } from '../../src/metadata/schema.js'
import { digestOf } from '../../src/oci/digest.js'
import { EMPTY_DESCRIPTOR } from '../../src/oci/media-types.js'

const subject = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'b'.repeat(64)}`, size: 123, annotations: { dropped: 'yes' } }

describe('buildArtifactManifest', () => {
  test('an annotation-only artifact: empty config, the empty layer, subject, artifactType', () => {
    const b = buildArtifactManifest({ artifactType: 'application/vnd.example+json', subject, annotations: { z: '1', a: '2' } })
    const m = JSON.parse(new TextDecoder().decode(b.bytes))
    expect(m.config).toEqual({ mediaType: EMPTY_DESCRIPTOR.mediaType, digest: EMPTY_DESCRIPTOR.digest, size: 2 })
    expect(m.layers).toEqual([m.config])
    expect(m.subject).toEqual({ mediaType: subject.mediaType, digest: subject.digest, size: 123 })
    expect(Object.keys(m.annotations)).toEqual(['a', 'z'])
    expect(b.descriptor.digest).toBe(digestOf(b.bytes))
    expect(b.descriptor.size).toBe(b.bytes.length)
    expect(b.descriptor.artifactType).toBe('application/vnd.example+json')
    expect(b.descriptor.annotations).toEqual({ a: '2', z: '1' })
  })
  test('the same input gives the same bytes (re-runs dedupe by digest)', () => {
    const a = buildArtifactManifest({ artifactType: 'x/y', subject, annotations: { k: 'v' } })
    const b = buildArtifactManifest({ artifactType: 'x/y', subject, annotations: { k: 'v' } })
    expect(a.descriptor.digest).toBe(b.descriptor.digest)
  })
})

const doc: BuildMetadata = {
  schemaVersion: 1,
  created: '2026-11-22T00:00:00.000Z',
  image: {
    original: 'r.io/a:1',
    registry: 'r.io',
    repository: 'a',
    name: 'r.io/a',
    tag: '1',
    digest: `sha256:${'c'.repeat(64)}`,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    size: 10
  },
  source: { commit: 'abc1234' },
  ci: { provider: 'none' },
  opencontainers: {}
}

describe('annotateManifest', () => {
  const original = `${JSON.stringify(
    {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'d'.repeat(64)}`, size: 5 },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: `sha256:${'e'.repeat(64)}`, size: 6 }],
      annotations: { 'org.example.keep': 'kept', 'dev.oci-build-metadata': 'stale', 'dev.oci-build-metadata.version': '1' }
    },
    null,
    3
  )}\n`
  const bytes = new TextEncoder().encode(original)

  test('only annotations change; other fields, their order and the indentation are kept', () => {
    const a = annotateManifest(bytes, 'application/vnd.oci.image.manifest.v1+json', doc, {
      prefix: 'dev.oci-build-metadata',
      extra: { 'org.example.extra': 'x' }
    })
    const text = new TextDecoder().decode(a.bytes)
    const before = JSON.parse(original)
    const after = JSON.parse(text)
    expect(Object.keys(after)).toEqual(Object.keys(before))
    expect(after.config).toEqual(before.config)
    expect(after.layers).toEqual(before.layers)
    expect(text).toMatch(/^\{\n {3}"schemaVersion"/)
    expect(text.endsWith('\n')).toBe(true)
    expect(after.annotations['org.example.keep']).toBe('kept')
    expect(after.annotations['org.example.extra']).toBe('x')
    const dec = decodeDocument(after.annotations)
    expect(dec?.inline && dec.document).toEqual(doc)
    expect(a.descriptor.digest).toBe(digestOf(a.bytes))
  })

  test('a manifest that would pass 4 MiB is refused before anything is written', () => {
    const huge = new TextEncoder().encode(
      JSON.stringify({ schemaVersion: 2, config: {}, layers: [], annotations: { pad: 'x'.repeat(MAX_MANIFEST_BYTES - 1000) } })
    )
    expect(() => annotateManifest(huge, 'application/vnd.oci.image.manifest.v1+json', doc, { prefix: 'dev.oci-build-metadata', extra: {} })).toThrow(
      expect.objectContaining({ hint: expect.stringMatching(/use mode: artifact/) })
    )
  })

  describe("the image's own annotations are never overwritten", () => {
    const own = (annotations: Record<string, string>) =>
      new TextEncoder().encode(
        JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: {}, layers: [], annotations })
      )
    const P = { prefix: 'dev.oci-build-metadata' }

    test('its org.opencontainers.image.created stays; ours is in the document, under our prefix', () => {
      const a = annotateManifest(own({ 'org.opencontainers.image.created': '2020-01-01T00:00:00Z' }), 'application/vnd.oci.image.manifest.v1+json', doc, {
        ...P,
        extra: {}
      })
      expect(a.annotations['org.opencontainers.image.created']).toBe('2020-01-01T00:00:00Z')
      expect(
        Object.keys(a.annotations)
          .filter(k => !k.startsWith('dev.oci-build-metadata'))
          .sort()
      ).toEqual(['org.opencontainers.image.created'])
    })

    test("an extra annotation that would change one of the image's own is refused, saying which", () => {
      expect(() =>
        annotateManifest(own({ 'org.example.team': 'platform' }), 'application/vnd.oci.image.manifest.v1+json', doc, {
          ...P,
          extra: { 'org.example.team': 'infra' }
        })
      ).toThrow(/^annotations: the image already has org\.example\.team="platform", and annotations mode never overwrites the image's own annotations/)
      // the same value is no change
      expect(
        annotateManifest(own({ 'org.example.team': 'platform' }), 'application/vnd.oci.image.manifest.v1+json', doc, {
          ...P,
          extra: { 'org.example.team': 'platform' }
        }).annotations['org.example.team']
      ).toBe('platform')
    })

    test('extras a previous run of ours added are ours to replace or drop', () => {
      const first = annotateManifest(own({ 'org.example.team': 'platform' }), 'application/vnd.oci.image.manifest.v1+json', doc, {
        ...P,
        extra: { 'org.example.stage': 'build', 'org.example.ticket': 'T-1' }
      })
      expect(first.annotations['dev.oci-build-metadata.extra-keys']).toBe('org.example.stage,org.example.ticket')
      const again = annotateManifest(first.bytes, 'application/vnd.oci.image.manifest.v1+json', doc, { ...P, extra: { 'org.example.stage': 'test' } })
      expect(again.annotations['org.example.stage']).toBe('test')
      expect(again.annotations['org.example.ticket']).toBeUndefined()
      expect(again.annotations['org.example.team']).toBe('platform')
      expect(again.annotations['dev.oci-build-metadata.extra-keys']).toBe('org.example.stage')
    })
  })
})
