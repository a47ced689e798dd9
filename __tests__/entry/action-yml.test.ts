// action.yml declares every input and output of the contract, generated from the one schema in
// src/inputs.ts. UPDATE_ACTION_YML=1 rewrites it.
import { readFileSync, writeFileSync } from 'node:fs'
import { INPUT_SPECS, OUTPUT_SPECS } from '../../src/inputs.js'

const q = (s: string) => `'${s.replace(/'/g, "''")}'`

function render(): string {
  const lines = [
    'name: OCI Build Metadata',
    'description: Attach versioned build metadata, SBOMs and SLSA provenance to container images as OCI referrers, verify them, and gate releases on them.',
    'author: oci-build-metadata',
    'branding:',
    '  icon: package',
    '  color: blue',
    'inputs:'
  ]
  for (const s of INPUT_SPECS) {
    lines.push(`  ${s.name}:`, `    description: ${q(s.description)}`, `    required: ${s.required ? 'true' : 'false'}`)
    const def = s.actionDefault ?? s.default
    if (def !== undefined) lines.push(`    default: ${q(def)}`)
  }
  lines.push('outputs:')
  for (const o of OUTPUT_SPECS) lines.push(`  ${o.name}:`, `    description: ${q(o.description)}`)
  lines.push('runs:', '  using: node24', '  main: dist/index.js', '')
  return lines.join('\n')
}

test('action.yml declares every input and output of src/inputs.ts, on the current Node runtime', () => {
  if (process.env.UPDATE_ACTION_YML) writeFileSync('action.yml', render())
  const text = readFileSync('action.yml', 'utf8')
  expect(text).toBe(render())
  for (const name of ['image', 'digest', 'command', 'mode', 'metadata', 'metadata-file', 'annotations', 'sbom', 'provenance', 'require', 'username', 'password', 'verify-timeout']) {
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
