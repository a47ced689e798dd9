// `require: private`: the document that passed the gate carries a private part; with an identity, one it opens.
import { buildDocument } from '../../src/metadata/document.js'
import { evaluateGate, type Evidence } from '../../src/verify/gate.js'
import { CREATED, githubCi, image } from '../metadata/sample.js'

const SEALED = {
  version: 1 as const,
  format: 'age' as const,
  ciphertext: '-----BEGIN AGE ENCRYPTED FILE-----\nYWdlLWVuY3J5cHRpb24ub3JnL3YxCg==\n-----END AGE ENCRYPTED FILE-----\n'
}
const now = new Date('2024-06-01T00:00:00Z')
const evidence = (digest: string, created: Date, sealed: boolean): Evidence => ({
  digest,
  artifactType: 'application/vnd.oci-build-metadata.v1+json',
  kinds: new Set(['metadata']),
  source: 'referrer',
  document: buildDocument({ ci: githubCi, image, created, ...(sealed ? { private: SEALED } : {}) })
})
const A = `sha256:${'a'.repeat(64)}`
const B = `sha256:${'b'.repeat(64)}`

test('found in the newest document that passed; missing when that document has none, even if an older one had', () => {
  const [row] = evaluateGate(['private'], [evidence(A, CREATED, true)], { now })
  expect(row).toMatchObject({
    requirement: 'private',
    found: true,
    evidence: A,
    detail: 'a private part in the metadata document (encrypted; no identity given to open it)'
  })
  const newerWithout = evaluateGate(['metadata', 'private'], [evidence(A, CREATED, true), evidence(B, new Date(CREATED.getTime() + 1000), false)], { now })
  expect(newerWithout.map(r => [r.requirement, r.found])).toEqual([
    ['metadata', true],
    ['private', false]
  ])
  expect(newerWithout[1]!.detail).toBe(
    `private part is missing: the metadata document that passed (referrer ${B} (application/vnd.oci-build-metadata.v1+json)) has none`
  )
})

test('with an identity: found when it opened the part, failed with why when it did not; no document: missing', () => {
  const ev = [evidence(A, CREATED, true)]
  expect(evaluateGate(['private'], ev, { now, opened: { digest: A } })[0]).toMatchObject({
    found: true,
    detail: expect.stringContaining('opened with the identity given')
  })
  expect(evaluateGate(['private'], ev, { now, opened: { digest: A, problem: 'no identity given matches a recipient of the private part' } })[0]).toMatchObject({
    found: false,
    detail: `private part of referrer ${A} (application/vnd.oci-build-metadata.v1+json): no identity given matches a recipient of the private part`
  })
  expect(evaluateGate(['private'], [], { now })[0]).toMatchObject({
    found: false,
    detail: 'private part is missing: no metadata document passed the gate to carry one'
  })
})
