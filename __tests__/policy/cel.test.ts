// CEL conditions: what is refused before any request (exit 2), and how each row comes out.
import { isOciError, describeError } from '../../src/errors.js'
import { compilePolicy, evaluateCondition, type CompiledCondition } from '../../src/policy/cel.js'
import { METADATA_FIELDS, type PolicyVariable } from '../../src/policy/declarations.js'
import { toCel } from '../../src/policy/variables.js'
import { buildDocument } from '../../src/metadata/document.js'
import { CREATED, githubCi, image } from '../metadata/sample.js'

const one = (text: string, identity = false): CompiledCondition => compilePolicy([{ text, source: 'policy' }], { identity })[0]!
const refusal = (text: string, identity = false): string => {
  try {
    one(text, identity)
  } catch (e) {
    expect(isOciError(e, 'INVALID_INPUT')).toBe(true)
    return describeError(e)
  }
  throw new Error(`${text} was accepted`)
}

const doc = buildDocument({ ci: githubCi, image, created: CREATED, user: { coverage: 87, team: 'platform' } })
const vars = (more: Partial<Record<PolicyVariable, unknown>> = {}): Record<PolicyVariable, unknown> => ({
  metadata: toCel(doc),
  provenance: null,
  sbom: null,
  image: toCel({ reference: image.original, name: image.name, digest: image.digest, mediaType: image.mediaType, platforms: ['linux/amd64', 'linux/arm64'] }),
  signer: {},
  private: null,
  now: new Date('2024-05-20T00:00:00Z'),
  ...more
})

describe('refused when the gate starts (exit 2), naming the expression and why', () => {
  test.each([
    ['a syntax error', 'metadata.source.ref ==', /policy: "metadata\.source\.ref ==" is not a CEL expression \(Unexpected token: EOF\)/],
    ['an unknown variable', 'metdata.source.ref == "x"', /does not type-check \(Unknown variable: metdata\)/],
    ['a misspelt field of the document', 'metadata.source.refs == "x"', /does not type-check \(No such key: refs\)/],
    ['a field of another object', 'metadata.image.commit == "x"', /No such key: commit/],
    ['a string compared with an int', 'metadata.image.size == "1"', /no such overload: int == string/],
    ['a value, not a condition', 'metadata.image.size + 1', /is of type int, not a condition/],
    ['private without an identity', 'private.ticket == "x"', /reads private, but no identity is given to decrypt it/]
  ])('%s', (_name, text, message) => {
    expect(refusal(text)).toMatch(message)
  })

  test('the first bad expression of several is named with where it came from', () => {
    expect(() =>
      compilePolicy(
        [
          { text: 'image.digest != ""', source: 'policy' },
          { text: 'sbom.components >', source: 'policy-file release.cel' }
        ],
        { identity: false }
      )
    ).toThrow(/^policy-file release\.cel: "sbom\.components >" is not a CEL expression/)
  })

  test('what the README and docs promise type-checks: every field of the document, the other variables, macros, time', () => {
    for (const text of [
      'metadata.source.ref == "refs/heads/main" || metadata.source.refType == "tag"',
      'provenance.predicate.runDetails.builder.id.startsWith("https://github.com/acme/widget/.github/workflows/release.yml@")',
      'sbom.format == "cyclonedx" && sbom.components >= 1',
      '["linux/amd64", "linux/arm64"].all(p, p in image.platforms)',
      'timestamp(metadata.created) > now - duration("720h")',
      'has(metadata.user.team) && metadata.user.team == "platform"',
      'signer.provenance.identity.startsWith("acme/widget/")',
      'metadata.ci.runner.environment == "github-hosted"',
      'metadata.opencontainers["org.opencontainers.image.revision"] == metadata.source.commit'
    ])
      expect(() => one(text)).not.toThrow()
    expect(() => one('private.ticket.startsWith("INC-")', true)).not.toThrow()
  })
})

describe('a row per expression', () => {
  test('true passes; false fails saying so', () => {
    expect(evaluateCondition(one('metadata.source.ref == "refs/heads/feature/new-ui"'), vars())).toEqual({ passed: true })
    expect(evaluateCondition(one('metadata.source.ref == "refs/heads/main"'), vars())).toEqual({ passed: false, reason: 'is false' })
  })

  test('integers of the document are CEL ints: counts compare with integer literals', () => {
    expect(evaluateCondition(one('metadata.image.size > 0 && metadata.user.coverage >= 80'), vars())).toEqual({ passed: true })
  })

  test('time: created within N days of the gate', () => {
    const within = one('timestamp(metadata.created) > now - duration("720h")')
    expect(evaluateCondition(within, vars())).toEqual({ passed: true })
    expect(evaluateCondition(within, vars({ now: new Date('2024-07-01T00:00:00Z') }))).toEqual({ passed: false, reason: 'is false' })
  })

  test('an evaluation error is a failed row with its reason, never a throw: a field the document does not have, a null variable', () => {
    expect(evaluateCondition(one('metadata.image.tag == "v1"'), vars({ metadata: toCel({ ...doc, image: { ...doc.image, tag: undefined } }) }))).toEqual({
      passed: false,
      reason: 'could not be evaluated: No such key: tag'
    })
    expect(evaluateCondition(one('provenance.predicate.buildDefinition.buildType != ""'), vars())).toEqual({
      passed: false,
      reason: expect.stringMatching(/^could not be evaluated: .+ \(provenance is null: no provenance statement on the image\)$/)
    })
    // has() and != null test for them instead
    expect(evaluateCondition(one('provenance == null || provenance.predicateType != ""'), vars())).toEqual({ passed: true })
  })

  test('a condition over the private part never shows a field or a value of it in its reason', () => {
    const secret = { ticket: 'INC-4711', customer: 'ACME' }
    const row = evaluateCondition(one('private.ticket.startsWith(private.customer + "-") || private.missingfield == "x"', true), vars({ private: secret }))
    expect(row.passed).toBe(false)
    expect(row.reason).toBe('could not be evaluated (the reason is not shown: the expression reads the private part)')
    const weird = evaluateCondition(one('private.ticket', true), vars({ private: secret }))
    expect(weird).toEqual({ passed: false, reason: 'is not true or false' })
    expect(JSON.stringify([row, weird])).not.toMatch(/INC|ACME|missingfield/)
  })
})

test('every field of the metadata document (its JSON Schema, version 2) is declared, with its CEL type', async () => {
  const { z } = await import('zod')
  const { buildMetadataSchemaV2 } = await import('../../src/metadata/schema.js')
  type Node = { type?: string; properties?: Record<string, Node>; items?: Node; additionalProperties?: unknown; const?: unknown; enum?: unknown[] }
  const celType = (n: Node): unknown => {
    if (n.properties) return Object.fromEntries(Object.entries(n.properties).map(([k, v]) => [k, celType(v)]))
    if (n.type === 'integer' || typeof n.const === 'number') return 'int'
    if (n.type === 'string' || n.enum) return 'string'
    if (n.type === 'array') return `list<${n.items?.properties ? 'map<string, string>' : 'dyn'}>`
    if (n.type === 'object') return (n.additionalProperties as Node | undefined)?.type === 'string' ? 'map<string, string>' : 'map<string, dyn>'
    return `unknown ${JSON.stringify(n)}`
  }
  expect(METADATA_FIELDS).toEqual(celType(z.toJSONSchema(buildMetadataSchemaV2) as Node))
})
