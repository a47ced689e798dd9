/**
 * What the gate costs in requests on a registry with the referrers API, for an image index as
 * docker/build-push-action pushes it (BuildKit's OCI-form attestations inside, an SBOM and provenance
 * attached to the index): with `platforms: each` and a policy that reads the SBOM and provenance,
 * every manifest and blob is downloaded once, however many platforms need it (BuildKit's attestation
 * manifests too, which are both in the index and referrers of their platform).
 */
import { resolve } from 'node:path'
import { startTestRegistry, type TestRegistry } from '../../__fixtures__/registry/index.js'
import { pushBuildKitIndex } from '../../__fixtures__/topology.js'
import { GH_ENV, runWith } from '../run/helpers.js'

const CYCLONEDX = resolve('__fixtures__/sbom/cyclonedx-1.5.json')
const POLICY = ['sbom.format == "cyclonedx" && sbom.components >= 1', 'provenance.predicate.runDetails.builder.id != ""'].join('\n')

let reg: TestRegistry
afterEach(async () => {
  await reg?.close()
})

/** `GET <path>` for each path fetched more than once. */
function repeated(r: TestRegistry, kind: 'blobs' | 'manifests'): string[] {
  const counts = new Map<string, number>()
  for (const q of r.requests) if (q.method === 'GET' && q.path.includes(`/${kind}/`)) counts.set(q.path, (counts.get(q.path) ?? 0) + 1)
  return [...counts].filter(([, n]) => n > 1).map(([p, n]) => `GET ${p} ×${n}`)
}

test('verify with platforms: each and a policy downloads each SBOM, statement and manifest once', async () => {
  reg = await startTestRegistry()
  const built = await pushBuildKitIndex(reg.host, 'team/app', 'v1', 'oci')
  const image = `${reg.host}/team/app@${built.index.digest}`
  const attached = await runWith({ image, sbom: CYCLONEDX, provenance: 'true' }, GH_ENV)
  expect(attached.problems).toEqual([])

  reg.resetRequests()
  const gate = await runWith({ image, command: 'verify', platforms: 'each', require: 'metadata, sbom, provenance', policy: POLICY })
  expect(gate.problems).toEqual([])
  expect(gate.gate.filter(r => r.kind === 'policy').map(r => [r.scope, r.found])).toEqual([
    ['linux/amd64', true],
    ['linux/amd64', true],
    ['linux/arm64', true],
    ['linux/arm64', true]
  ])
  expect(repeated(reg, 'blobs')).toEqual([])
  expect(repeated(reg, 'manifests')).toEqual([])
})
