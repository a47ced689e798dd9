// The published JSON Schema is generated from src/metadata/schema.ts by `npm run generate`
// (scripts/generated-files.ts); these tests only compare and read it, so a schema edited by hand, or a
// zod schema changed without regenerating, fails here.
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { METADATA_SCHEMA_VERSION, SCHEMAS_BY_VERSION } from '../../src/metadata/schema.js'
import { buildDocument } from '../../src/metadata/document.js'
import { GENERATED_FILES, staleMessage } from '../../scripts/generated-files.js'
import { CREATED, githubCi, image } from './sample.js'

const fileOf = (v: number) => fileURLToPath(new URL(`../../schema/build-metadata.v${v}.json`, import.meta.url))
const FILE = fileOf(1)
const SEALED = {
  version: 1 as const,
  format: 'age' as const,
  ciphertext: '-----BEGIN AGE ENCRYPTED FILE-----\nYWdlLWVuY3J5cHRpb24ub3JnL3YxCg==\n-----END AGE ENCRYPTED FILE-----\n'
}

test('a schema is published for every version this tool reads, 1 to the newest', () => {
  expect(Object.keys(SCHEMAS_BY_VERSION).map(Number)).toEqual(Array.from({ length: METADATA_SCHEMA_VERSION }, (_, i) => i + 1))
  expect(GENERATED_FILES.filter(f => f.path.startsWith('schema/')).map(f => f.path)).toEqual(
    Object.keys(SCHEMAS_BY_VERSION).map(v => `schema/build-metadata.v${v}.json`)
  )
})

describe.each(Object.keys(SCHEMAS_BY_VERSION).map(Number))('the committed JSON Schema of version %i', v => {
  it('equals z.toJSONSchema of its zod schema (regenerate: npm run generate)', async () => {
    const generated = GENERATED_FILES.find(f => f.path === `schema/build-metadata.v${v}.json`)!
    const committed = await readFile(fileOf(v), 'utf8').catch(() => '')
    if (committed !== generated.render()) throw new Error(staleMessage(generated))
  })
})

describe('the committed JSON Schema', () => {
  it('describes a real document: required fields, the literal version, closed objects', async () => {
    const schema = JSON.parse(await readFile(FILE, 'utf8')) as {
      required: string[]
      additionalProperties: boolean
      properties: Record<string, { const?: number; additionalProperties?: unknown }>
    }
    expect(schema.required).toEqual(expect.arrayContaining(['schemaVersion', 'created', 'image', 'source', 'ci', 'opencontainers']))
    expect(schema.properties.schemaVersion?.const).toBe(1)
    expect(schema.additionalProperties).toBe(false)
    expect(schema.properties.image?.additionalProperties).toBe(false)
    const doc = buildDocument({ ci: githubCi, image, created: CREATED })
    for (const key of Object.keys(doc)) expect(Object.keys(schema.properties)).toContain(key)
  })
})

describe('real documents against the published JSON Schema (ajv, draft 2020-12)', () => {
  const load = async () => {
    const { Ajv2020 } = await import('ajv/dist/2020.js')
    const addFormats = (await import('ajv-formats')).default as unknown as (a: unknown) => void
    const ajv = new Ajv2020({ strict: false, allErrors: true })
    addFormats(ajv)
    return ajv.compile(JSON.parse(await readFile(FILE, 'utf8')))
  }

  it('accepts what buildDocument makes: GitHub, GitLab-like, an index with platforms, user fields', async () => {
    const validate = await load()
    const docs = [
      buildDocument({ ci: githubCi, image, created: CREATED }),
      buildDocument({ ci: { provider: 'none' }, image, created: CREATED }),
      buildDocument({
        ci: { ...githubCi, provider: 'gitlab', jobId: '7001', jobUrl: 'https://gitlab.com/o/r/-/jobs/7001' },
        image: { ...image, platforms: [{ os: 'linux', architecture: 'arm64', variant: 'v8', digest: image.digest }] },
        created: CREATED,
        user: { team: 'platform', tests: { passed: 845 } }
      })
    ]
    for (const d of docs) {
      const ok = validate(JSON.parse(JSON.stringify(d)))
      expect({ ok, errors: validate.errors ?? null }).toEqual({ ok: true, errors: null })
    }
  })

  it('refuses what a v1 reader must not take: a newer version, an unknown field, a bad digest', async () => {
    const validate = await load()
    const doc = JSON.parse(JSON.stringify(buildDocument({ ci: githubCi, image, created: CREATED }))) as Record<string, unknown> & {
      image: Record<string, unknown>
    }
    expect(validate({ ...doc, schemaVersion: 2 })).toBe(false)
    expect(validate({ ...doc, extra: true })).toBe(false)
    expect(validate({ ...doc, image: { ...doc.image, digest: 'not a digest' } })).toBe(false)
    // a private part is not version 1: a v1 reader refuses it (objects are closed), so it is written as version 2
    expect(validate({ ...doc, private: SEALED })).toBe(false)
  })
})

describe('version 2: version 1 and the private part', () => {
  const load = async (v: number) => {
    const { Ajv2020 } = await import('ajv/dist/2020.js')
    const addFormats = (await import('ajv-formats')).default as unknown as (a: unknown) => void
    const ajv = new Ajv2020({ strict: false, allErrors: true })
    addFormats(ajv)
    return ajv.compile(JSON.parse(await readFile(fileOf(v), 'utf8')))
  }

  it('a document is version 1 without a private part and version 2 with one; each validates against its own schema only', async () => {
    const [v1, v2] = [await load(1), await load(2)]
    const plain = JSON.parse(JSON.stringify(buildDocument({ ci: githubCi, image, created: CREATED })))
    const sealed = JSON.parse(JSON.stringify(buildDocument({ ci: githubCi, image, created: CREATED, private: SEALED })))
    expect(plain.schemaVersion).toBe(1)
    expect(plain.private).toBeUndefined()
    expect(sealed.schemaVersion).toBe(2)
    expect(sealed.private).toEqual(SEALED)
    // the rest of the document is the same
    const { schemaVersion: _a, private: _p, ...rest } = sealed
    const { schemaVersion: _b, ...restPlain } = plain
    expect(rest).toEqual(restPlain)
    expect([v1(plain), v2(sealed), v1(sealed), v2({ ...sealed, private: { ...SEALED, format: 'pgp' } })]).toEqual([true, true, false, false])
    expect(v2({ ...sealed, private: { ...SEALED, ciphertext: '{"ticket": "INC-1"}' } })).toBe(false)
  })
})
