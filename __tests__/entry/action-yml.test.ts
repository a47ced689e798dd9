// action.yml declares every input and output of the contract, generated from the one schema in
// src/inputs.ts. UPDATE_ACTION_YML=1 rewrites it.
import { readFileSync, writeFileSync } from 'node:fs'
import { actionDescription } from '../../src/input-scope.js'
import { outputDescription } from '../../src/output-specs.js'
import { INPUT_SPECS, OUTPUT_SPECS } from '../../src/inputs.js'

/** The Marketplace shows at most 125 characters of it. */
const ACTION_DESCRIPTION = 'Attach versioned build metadata, SBOMs and signed provenance to container images, verify them, gate releases.'

const q = (s: string) => `'${s.replace(/'/g, "''")}'`

function render(): string {
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

test('action.yml declares every input and output of src/inputs.ts, on the current Node runtime', () => {
  if (process.env.UPDATE_ACTION_YML) writeFileSync('action.yml', render())
  const text = readFileSync('action.yml', 'utf8')
  expect(text).toBe(render())
  // valid for the Marketplace: a short description, every input described, defaults stated
  expect(ACTION_DESCRIPTION.length).toBeLessThan(125)
  for (const sp of INPUT_SPECS) expect(sp.description.length).toBeGreaterThan(10)
  expect(INPUT_SPECS.find(sp => sp.name === 'require')?.default).toBe('metadata')
  for (const name of [
    'image',
    'digest',
    'command',
    'mode',
    'metadata',
    'metadata-file',
    'annotations',
    'sbom',
    'provenance',
    'require',
    'username',
    'password',
    'verify-timeout'
  ]) {
    expect(text).toContain(`\n  ${name}:\n`)
  }
  for (const name of ['subject-digest', 'artifact-digest', 'image-digest', 'metadata', 'annotations', 'referrers', 'verified']) {
    expect(text).toMatch(new RegExp(`outputs:[\\s\\S]*\\n  ${name}:\\n`))
  }
})

test('the version the tool reports is the package version', async () => {
  const { VERSION } = await import('../../src/version.js')
  expect(VERSION).toBe((JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version)
})
