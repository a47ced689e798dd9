// Rules that used to be written twice or three times, each now in one place: what is wrong with a
// digest, a manifest's media type from its shape, the referrers descriptor of a manifest, the
// redirect statuses. What a registry or a layout really holds is modelled: BuildKit's attestation
// manifests (no artifactType, the image config's media type), an SBOM artifact, a bare index.
import { digestProblem, parseDigest } from '../../src/oci/digest.js'
import { ArtifactType, MediaType } from '../../src/oci/media-types.js'
import { referrerDescriptor } from '../../src/oci/referrer-descriptors.js'
import { isRedirect } from '../../src/oci/remote/http-rules.js'
import { declaredMediaType, parseManifest } from '../../src/oci/types.js'

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v))
const d = (c: string) => `sha256:${c.repeat(64)}`
const config = { mediaType: MediaType.ImageConfig, digest: d('c'), size: 2 }
const subject = { mediaType: MediaType.ImageManifest, digest: d('5'), size: 500 }

describe('digestProblem: the reason, without the digest, for messages that name it already', () => {
  test.each([
    ['sha256', { kind: 'syntax', reason: 'expected <algorithm>:<hex>, e.g. sha256:<64 hex digits>' }],
    ['md5:0123', { kind: 'algorithm', reason: 'unsupported digest algorithm "md5" in "md5:0123"', hint: 'use sha256 (or sha512)' }],
    [`sha256:${'A'.repeat(64)}`, { kind: 'length', reason: 'sha256 needs 64 lowercase hex digits' }],
    [d('a'), undefined]
  ])('%s', (digest, want) => {
    expect(digestProblem(digest)).toEqual(want)
  })

  test('parseDigest says the same, naming the digest', () => {
    expect(() => parseDigest('sha256:abc')).toThrow('invalid digest "sha256:abc": sha256 needs 64 lowercase hex digits')
    expect(() => parseDigest('md5:0123')).toThrow('unsupported digest algorithm "md5" in "md5:0123"')
  })
})

describe('declaredMediaType: what a manifest declares, else what its shape says', () => {
  test.each([
    ['an index without mediaType', { schemaVersion: 2, manifests: [] }, MediaType.ImageIndex],
    ['an image manifest without mediaType', { schemaVersion: 2, config, layers: [] }, MediaType.ImageManifest],
    ['a Docker manifest list', { schemaVersion: 2, mediaType: MediaType.DockerManifestList, manifests: [] }, MediaType.DockerManifestList],
    ['not an object', null, MediaType.ImageManifest]
  ])('%s', (_name, json, want) => {
    expect(declaredMediaType(json)).toBe(want)
  })
})

describe('referrerDescriptor: as a referrers listing must give it', () => {
  test("BuildKit's attestation manifest (no artifactType): its config's media type, its annotations", () => {
    const m = parseManifest(
      enc({
        schemaVersion: 2,
        mediaType: MediaType.ImageManifest,
        config,
        layers: [{ mediaType: 'application/vnd.in-toto+json', digest: d('1'), size: 10 }],
        subject,
        annotations: { 'vnd.docker.reference.type': 'attestation-manifest' }
      })
    )
    expect(referrerDescriptor(m, d('9'), 700)).toEqual({
      mediaType: MediaType.ImageManifest,
      digest: d('9'),
      size: 700,
      artifactType: MediaType.ImageConfig,
      annotations: { 'vnd.docker.reference.type': 'attestation-manifest' }
    })
  })

  test('an artifact: its artifactType; no annotations, no field; the media type as fetched wins', () => {
    const m = parseManifest(enc({ schemaVersion: 2, artifactType: ArtifactType.Spdx, config: { ...config, mediaType: MediaType.Empty }, layers: [], subject }))
    expect(referrerDescriptor(m, d('8'), 300)).toEqual({ mediaType: MediaType.ImageManifest, digest: d('8'), size: 300, artifactType: ArtifactType.Spdx })
    expect(referrerDescriptor(m, d('8'), 300, MediaType.DockerManifest).mediaType).toBe(MediaType.DockerManifest)
  })

  test('an index: its own artifactType or none (it has no config)', () => {
    expect(referrerDescriptor(parseManifest(enc({ schemaVersion: 2, manifests: [], subject, annotations: {} })), d('7'), 90)).toEqual({
      mediaType: MediaType.ImageIndex,
      digest: d('7'),
      size: 90
    })
  })
})

test('isRedirect: the five redirections of RFC 9110, nothing else', () => {
  expect([300, 301, 302, 303, 304, 305, 307, 308, 200, 404].filter(isRedirect)).toEqual([301, 302, 303, 307, 308])
})
