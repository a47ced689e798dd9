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
