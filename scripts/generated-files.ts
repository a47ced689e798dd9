/**
 * The committed files generated from the sources, and how each is rendered: `npm run generate`
 * (scripts/generate.mjs) writes them; the tests that check them (__tests__/entry/action-yml.test.ts,
 * __tests__/metadata/schema.test.ts) only compare, so a file edited by hand, or a source changed
 * without regenerating, fails a test.
 */
import { z } from 'zod'
import { actionDescription } from '../src/input-scope.js'
import { INPUT_SPECS, OUTPUT_SPECS } from '../src/inputs.js'
import { SCHEMAS_BY_VERSION } from '../src/metadata/schema.js'
import { outputDescription } from '../src/output-specs.js'

/** action.yml's description: the Marketplace shows at most 125 characters of it. */
export const ACTION_DESCRIPTION = 'Attach versioned build metadata, SBOMs and signed provenance to container images, verify them, gate releases.'

const q = (s: string) => `'${s.replace(/'/g, "''")}'`

/** action.yml: every input and output of the tables (src/input-specs.ts, src/output-specs.ts), on the Node runtime the action declares. */
export function renderActionYml(): string {
  const lines = [
    'name: OCI Build Metadata',
    `description: ${ACTION_DESCRIPTION}`,
    'author: oci-build-metadata',
    'branding:',
    '  icon: package',
    '  color: blue',
    'inputs:'
  ]
  for (const s of INPUT_SPECS) {
    // CLI-only flags (discover's --format) are no inputs of the action
    if (s.only === 'cli') continue
    lines.push(`  ${s.name}:`, `    description: ${q(actionDescription(s))}`, `    required: ${s.required ? 'true' : 'false'}`)
    const def = s.actionDefault ?? s.default
    if (def !== undefined) lines.push(`    default: ${q(def)}`)
  }
  lines.push('outputs:')
  for (const o of OUTPUT_SPECS) lines.push(`  ${o.name}:`, `    description: ${q(outputDescription(o))}`)
  lines.push('runs:', '  using: node24', '  main: dist/index.js', '')
  return lines.join('\n')
}

/** The published JSON Schema of one version of the build metadata document: z.toJSONSchema of its zod schema. */
export function renderMetadataSchema(version: keyof typeof SCHEMAS_BY_VERSION): string {
  return `${JSON.stringify(z.toJSONSchema(SCHEMAS_BY_VERSION[version]), null, 2)}\n`
}

export interface GeneratedFile {
  /** relative to the repository root */
  path: string
  /** the source it is generated from, for messages */
  from: string
  render(): string
}

export const GENERATED_FILES: GeneratedFile[] = [
  { path: 'action.yml', from: 'src/input-specs.ts and src/output-specs.ts', render: renderActionYml },
  // every version a reader may meet: 1 (no private part) and 2 (version 1 and the private part)
  ...([1, 2] as const).map(v => ({ path: `schema/build-metadata.v${v}.json`, from: 'src/metadata/schema.ts', render: () => renderMetadataSchema(v) }))
]

/** The line a test fails with when a committed file differs from what its source renders. */
export function staleMessage(f: GeneratedFile): string {
  return `${f.path} differs from what ${f.from} generates: run \`npm run generate\` and commit the result (never edit ${f.path} by hand)`
}
