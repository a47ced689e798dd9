/**
 * Idempotent re-runs (src/attach/dedupe.ts): an SBOM or provenance whose content this writer already
 * attached is found in the listing and not attached again; anything else is written.
 */
import { splitAttached } from '../../src/attach/dedupe.js'
import { planProvenance, planSbom, type PlanContext } from '../../src/attach/plan.js'
import { DEFAULT_ANNOTATION_PREFIX } from '../../src/metadata/codec.js'
import type { CiContext } from '../../src/metadata/ci-context.js'
import type { Descriptor } from '../../src/oci/types.js'
import { buildProvenance } from '../../src/sbom-provenance/provenance.js'
import type { DetectedSbom } from '../../src/sbom-provenance/sbom.js'
import { githubCi, IMAGE_DIGEST } from '../metadata/sample.js'

const P = DEFAULT_ANNOTATION_PREFIX
const ctx = (attempt: number, parts = ['git', 'acme/widget']): PlanContext => ({
  subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: IMAGE_DIGEST, size: 1234 },
  prefix: P,
  userAnnotations: {},
  created: new Date(attempt).toISOString(),
  writer: { parts, attempt }
})
const sbom = (digest: string): DetectedSbom => ({
  path: '/work/sbom.spdx.json',
  format: 'spdx-json',
  artifactType: 'application/spdx+json',
  mediaType: 'application/spdx+json',
  digest,
  size: 100
})
const A = `sha256:${'a'.repeat(64)}`
const B = `sha256:${'b'.repeat(64)}`
const { runUrl: _runUrl, ...notOnARunner } = githubCi
const LAPTOP: CiContext = { ...notOnARunner, provider: 'git' }
const provenance = (ci: CiContext = LAPTOP) => buildProvenance({ subjectName: 'ghcr.io/acme/app', subjectDigest: IMAGE_DIGEST, ci })

describe('splitAttached', () => {
  test("the same writer's SBOM with the same content, from an earlier run, is already attached", () => {
    const earlier = planSbom(sbom(A), ctx(1))
    const now = planSbom(sbom(A), ctx(2))
    expect(now.built.descriptor.digest).not.toBe(earlier.built.descriptor.digest)
    const split = splitAttached([now], [earlier.built.descriptor], P)
    expect(split.toWrite).toEqual([])
    expect(split.all.map(x => [x.label, x.built.descriptor.digest, x.existing])).toEqual([
      ['sbom sbom.spdx.json (already attached)', earlier.built.descriptor.digest, true]
    ])
  })

  test('new content, another writer, or an entry of another tool: written', () => {
    const now = planSbom(sbom(A), ctx(2))
    const changed = planSbom(sbom(B), ctx(1)).built.descriptor
    const otherWriter = planSbom(sbom(A), ctx(1, ['git', 'acme/other'])).built.descriptor
    const foreign: Descriptor = {
      ...now.built.descriptor,
      digest: `sha256:${'f'.repeat(64)}`,
      annotations: { 'org.opencontainers.image.title': 'sbom.spdx.json' }
    }
    const split = splitAttached([now], [changed, otherWriter, foreign], P)
    expect(split.toWrite).toEqual([now])
    expect(split.attached).toEqual([])
  })

  test("provenance of the same build, from an earlier run, is already attached; a CI re-run's is new content", () => {
    const first = planProvenance(provenance(), ctx(1)).plan
    const again = planProvenance(provenance(), ctx(2)).plan
    expect(again.built.descriptor.digest).not.toBe(first.built.descriptor.digest)
    expect(splitAttached([again], [first.built.descriptor], P).attached).toHaveLength(1)
    // a CI re-run is another invocation: its run URL names the attempt
    const run = (n: number) => provenance({ ...githubCi, runUrl: `https://github.com/octo-org/app/actions/runs/1/attempts/${n}` })
    const attempt1 = planProvenance(run(1), ctx(1)).plan
    const attempt2 = planProvenance(run(2), ctx(2)).plan
    expect(attempt2.contentDigest).not.toBe(attempt1.contentDigest)
    expect(splitAttached([attempt2], [attempt1.built.descriptor], P).toWrite).toEqual([attempt2])
  })
})
