/**
 * Outputs that tell the truth: `missing` names what did not verify; SBOM and provenance referrers use
 * the annotation prefix the user chose; annotations mode leaves the image's own annotations alone.
 */
import { join } from 'node:path'
import { runAction } from '../../__fixtures__/action-runner.js'
import { pushImage, pushTestImage, remote } from '../../__fixtures__/builders.js'
import { startDistribution, type Distribution } from '../../__fixtures__/distribution.js'
import { startTestRegistry } from '../../__fixtures__/registry/index.js'
import { parseInputs } from '../../src/inputs.js'
import { silentLogger } from '../../src/log.js'
import { ArtifactType } from '../../src/oci/media-types.js'
import { openTarget } from '../../src/oci/open.js'
import type { Target } from '../../src/oci/target.js'
import { parseManifest, type ImageManifest } from '../../src/oci/types.js'
import { run } from '../../src/run.js'
import { GH_ENV, resultOf, runWith } from '../run/helpers.js'

const SBOM = join(process.cwd(), '__fixtures__', 'sbom', 'spdx-2.3.json')

let dist: Distribution
beforeAll(async () => {
  dist = await startDistribution()
})
afterAll(async () => {
  await dist?.stop()
})

test('missing names the artifact that did not show up, not always metadata', async () => {
  const reg = await startTestRegistry()
  try {
    const img = await pushTestImage(reg.host, 'lagging/app', 'v1')
    // a registry whose referrers listing never shows SBOMs (as one lagging behind for one type would)
    const lagging = (t: Target): Target =>
      Object.assign(Object.create(Object.getPrototypeOf(t)) as Target, t, {
        listReferrers: async (...a: Parameters<Target['listReferrers']>) => {
          const l = await t.listReferrers(...a)
          return { ...l, descriptors: l.descriptors.filter(d => d.artifactType !== ArtifactType.Spdx) }
        }
      })
    const inputs = parseInputs({ image: `${reg.host}/lagging/app@${img.digest}`, sbom: SBOM, provenance: 'true', 'verify-timeout': '0' })
    const r = resultOf(
      await run(inputs, { logger: silentLogger, env: GH_ENV, cwd: '/', openTarget: (ref, i, l) => lagging(openTarget(ref, i, l, {})) }),
      'attach'
    )
    expect(r.verified).toBe(false)
    expect(r.missing).toEqual(['sbom'])
    expect(r.problems).toEqual([expect.stringMatching(/^sbom spdx-2\.3\.json: artifact sha256:[0-9a-f]{64} is not listed among the referrers$/)])
  } finally {
    await reg.close()
  }
})

test('SBOM and provenance referrers carry the annotation prefix given, and the gate reads them with it', async () => {
  const img = await pushTestImage(dist.host, 'prefixed/app', 'v1')
  const r = await runWith(
    { image: `${dist.host}/prefixed/app@${img.digest}`, sbom: SBOM, provenance: 'true', 'annotation-prefix': 'com.example.build' },
    GH_ENV
  )
  expect(r.problems).toEqual([])
  const keys = r.referrers.flatMap(d => Object.keys(d.annotations ?? {}))
  expect(keys.filter(k => k.startsWith('dev.oci-build-metadata'))).toEqual([])
  const sbom = r.referrers.find(d => d.artifactType === ArtifactType.Spdx)!
  expect(sbom.annotations).toMatchObject({ 'com.example.build.sbom.format': 'spdx-json', 'com.example.build.attempt': '1' })
  expect(sbom.annotations?.['com.example.build.key']).toMatch(/^[0-9a-f]{32}$/)
  expect(r.referrers.find(d => d.artifactType === ArtifactType.InToto)?.annotations?.['com.example.build.key']).toMatch(/^[0-9a-f]{32}$/)
  const gate = await runWith({
    image: `${dist.host}/prefixed/app@${img.digest}`,
    command: 'verify',
    require: 'metadata,sbom,provenance',
    'annotation-prefix': 'com.example.build'
  })
  expect(gate.verified).toBe(true)
})

describe('annotations mode through the bundled action', () => {
  const OWN = { 'org.opencontainers.image.created': '2020-01-01T00:00:00Z', 'org.example.team': 'platform' }
  /** An image with its own annotations, as a build tool labels it, in a repository of the test's own. */
  async function ownImage(repo: string): Promise<{ image: string; ownDigest: string }> {
    const image = `${dist.host}/${repo}:v1`
    return { image, ownDigest: (await pushImage(remote(image), repo, 'v1', { annotations: OWN })).digest }
  }

  test("an extra annotation that would change one of the image's own: one error line, exit 2, the tag not moved", async () => {
    const { image, ownDigest } = await ownImage('own-annotations/refused')
    const r = await runAction({ image, mode: 'annotations', annotations: 'org.example.team=infra' })
    expect(r.code).toBe(2)
    expect(r.errors).toEqual([
      expect.stringMatching(/^annotations: the image already has org\.example\.team="platform", and annotations mode never overwrites/)
    ])
    expect((await remote(image).fetchManifest('v1')).descriptor.digest).toBe(ownDigest)
  })

  test("the image's own created and team stay; ours go under our prefix", async () => {
    const { image, ownDigest } = await ownImage('own-annotations/kept')
    const r = await runAction({ image, mode: 'annotations', annotations: 'org.example.stage=build' })
    expect(r.errors).toEqual([])
    expect(r.code).toBe(0)
    const m = parseManifest((await remote(image).fetchManifest('v1')).bytes) as ImageManifest
    expect(m.annotations).toMatchObject({
      'org.opencontainers.image.created': '2020-01-01T00:00:00Z',
      'org.example.team': 'platform',
      'org.example.stage': 'build'
    })
    const outside = Object.keys(m.annotations ?? {}).filter(k => !k.startsWith('dev.oci-build-metadata'))
    expect(outside.sort()).toEqual(['org.example.stage', 'org.example.team', 'org.opencontainers.image.created'])
    expect(JSON.parse(r.outputs.metadata as string).created).not.toBe('2020-01-01T00:00:00Z')
    // which digest carries the metadata, plainly: the image's new manifest, not the subject it was before
    expect(r.outputs['metadata-digest']).toBe(r.outputs['image-digest'])
    expect(r.outputs['subject-digest']).toBe(ownDigest)
    expect(r.summary).toContain(`| New image digest (carries the metadata) | \`${r.outputs['image-digest']}\` |`)
    const v = await runAction({ image, command: 'verify' })
    expect(v.outputs['metadata-digest']).toBe(r.outputs['image-digest'])
    expect(v.summary).toContain("(the image's own annotations)")
    // and the gate's annotations output is the image's own annotations that carry the document
    expect(JSON.parse(v.outputs.annotations ?? '{}')).toEqual(m.annotations)
  })
})
