// action.yml declares every input and output of the contract. It is generated from src/input-specs.ts and src/output-specs.ts by
// `npm run generate` (scripts/generated-files.ts); this test only compares, so it fails on a file
// edited by hand or a source changed without regenerating.
import { readFileSync } from 'node:fs'
import { INPUT_SPECS } from '../../src/inputs.js'
import { ACTION_DESCRIPTION, GENERATED_FILES, staleMessage } from '../../scripts/generated-files.js'

const ACTION_YML = GENERATED_FILES.find(f => f.path === 'action.yml')!

test('action.yml declares every input and output of src/inputs.ts, on the current Node runtime', () => {
  const text = readFileSync('action.yml', 'utf8')
  if (text !== ACTION_YML.render()) throw new Error(staleMessage(ACTION_YML))
  // valid for the Marketplace: a short description, every input described, defaults stated
  expect(ACTION_DESCRIPTION.length).toBeLessThan(125)
  expect(text).toContain(`\ndescription: ${ACTION_DESCRIPTION}\n`)
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
  expect(text).toMatch(/\nruns:\n {2}using: node24\n {2}main: dist\/index\.js\n$/)
})

test('the version the tool reports is the package version', async () => {
  const { VERSION } = await import('../../src/version.js')
  expect(VERSION).toBe((JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version)
})
