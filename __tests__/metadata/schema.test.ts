import { readFile, writeFile, mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { buildMetadataSchema, METADATA_SCHEMA_VERSION } from '../../src/metadata/schema.js'
import { buildDocument } from '../../src/metadata/document.js'
import { CREATED, githubCi, image } from './sample.js'

const FILE = fileURLToPath(new URL(`../../schema/build-metadata.v${METADATA_SCHEMA_VERSION}.json`, import.meta.url))
const REGENERATE = `UPDATE_SCHEMA=1 npm run test:jest -- __tests__/metadata/schema`

describe('the committed JSON Schema', () => {
  const generated = `${JSON.stringify(z.toJSONSchema(buildMetadataSchema), null, 2)}\n`

  it(`equals z.toJSONSchema(buildMetadataSchema) (regenerate: ${REGENERATE})`, async () => {
    if (process.env.UPDATE_SCHEMA === '1') {
      await mkdir(dirname(FILE), { recursive: true })
      await writeFile(FILE, generated)
    }
    const committed = await readFile(FILE, 'utf8').catch(() => '')
    if (committed !== generated) {
      throw new Error(`${FILE} is out of date with src/metadata/schema.ts: run \`${REGENERATE}\` and commit the result`)
    }
  })

  it('describes a real document: required fields, the literal version, closed objects', () => {
    const schema = JSON.parse(generated) as {
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
