/**
 * Comparing what was read back with what was planned (src/attach/check.ts): the metadata referrer
 * must name the document that was written, not merely be listed.
 */
import { compareWithPlans } from '../../src/attach/check.js'
import { planMetadata, type PlanContext } from '../../src/attach/plan.js'
import { DEFAULT_ANNOTATION_PREFIX, encodeDocument } from '../../src/metadata/codec.js'
import { buildDocument } from '../../src/metadata/document.js'
import type { FoundReferrers } from '../../src/image-reader/find-referrers.js'
import { CREATED, githubCi, image, IMAGE_DIGEST } from '../metadata/sample.js'

const P = DEFAULT_ANNOTATION_PREFIX
const ctx: PlanContext = {
  subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: IMAGE_DIGEST, size: 1234 },
  prefix: P,
  userAnnotations: {},
  created: CREATED.toISOString(),
  writer: { parts: ['github', 'acme/widget', 'build', 'image'], attempt: 1 }
}
const written = buildDocument({ ci: githubCi, image, created: CREATED })
const { plan } = planMetadata(written, ctx)
const listed = (annotations: Record<string, string>): FoundReferrers => ({
  via: 'api',
  referrers: [{ descriptor: { ...plan.built.descriptor, annotations }, completed: false }],
  ignored: []
})

describe('compareWithPlans', () => {
  test('the metadata referrer as written verifies', () => {
    expect(compareWithPlans(listed(plan.built.descriptor.annotations ?? {}), [plan], P)).toEqual([[]])
  })

  test('a listed metadata referrer that names another document does not verify', () => {
    const other = encodeDocument(buildDocument({ ci: { ...githubCi, runId: '999' }, image, created: CREATED }), { prefix: P })
    // the listing shows the other document's annotations; every other key the plan wrote is the same
    const annotations = { ...plan.built.descriptor.annotations, ...other.annotations }
    const [problems] = compareWithPlans(listed(annotations), [plan], P)
    expect(problems).toContain(`metadata: document digest ${other.documentDigest} is not the one written (${plan.documentDigest})`)
  })

  test('a metadata referrer listed without its annotations is named as such', () => {
    const [problems] = compareWithPlans(listed({}), [plan], P)
    expect(problems).toContain('metadata: the referrer carries no metadata annotations')
  })
})
