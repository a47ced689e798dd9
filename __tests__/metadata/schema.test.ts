// The published JSON Schema is generated from src/metadata/schema.ts by `npm run generate`
// (scripts/generated-files.ts); these tests only compare and read it, so a schema edited by hand, or a
// zod schema changed without regenerating, fails here.
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { METADATA_SCHEMA_VERSION } from '../../src/metadata/schema.js'
import { buildDocument } from '../../src/metadata/document.js'
import { GENERATED_FILES, staleMessage } from '../../scripts/generated-files.js'
import { CREATED, githubCi, image } from './sample.js'

const SCHEMA_FILE = GENERATED_FILES.find(f => f.path === `schema/build-metadata.v${METADATA_SCHEMA_VERSION}.json`)!
const FILE = fileURLToPath(new URL(`../../${SCHEMA_FILE.path}`, import.meta.url))

describe('the committed JSON Schema', () => {
  it('equals z.toJSONSchema(buildMetadataSchema) (regenerate: npm run generate)', async () => {
    const committed = await readFile(FILE, 'utf8').catch(() => '')
    if (committed !== SCHEMA_FILE.render()) throw new Error(staleMessage(SCHEMA_FILE))
  })

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
  })
})
