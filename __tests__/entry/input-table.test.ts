// The input table (src/input-specs.ts) is the one home of each input's name, type and default: the
// zod schema reads every input through it, and the CLI takes its booleans and repeatable lists
// from it. Expectations are written out here, not computed from the table.
import { parseArgv } from '../../src/cli-main.js'
import { UsageError } from '../../src/errors.js'
import { INPUT_SPECS } from '../../src/input-specs.js'
import { parseInputs, SECTION_INPUTS } from '../../src/inputs.js'

const fail = (raw: Parameters<typeof parseInputs>[0]): UsageError => {
  try {
    parseInputs(raw)
  } catch (e) {
    if (e instanceof UsageError) return e
    throw e
  }
  throw new Error('expected a UsageError')
}

test('every input of the table is read by exactly one section of the schema', () => {
  const read = SECTION_INPUTS.flat()
  expect([...read].sort()).toEqual(INPUT_SPECS.map(s => s.name).sort())
  expect(new Set(read).size).toBe(read.length)
})

test('the defaults of the table: annotation prefix, signer issuer, require', () => {
  const i = parseInputs({ image: 'a', command: 'verify', signer: 'acme/widget' })
  expect(i.annotationPrefix).toBe('dev.oci-build-metadata')
  expect(i.signer).toEqual({ kind: 'repository', repository: 'acme/widget', issuer: 'https://token.actions.githubusercontent.com' })
  expect(i.require).toEqual(['metadata'])
  // blanks are "not given", as the runner passes an unset input
  expect(parseInputs({ image: 'a', 'annotation-prefix': '  ', require: ' ' })).toMatchObject({
    annotationPrefix: 'dev.oci-build-metadata',
    require: ['metadata']
  })
})

describe('booleans', () => {
  test.each([
    ['true', true],
    ['YES', true],
    ['1', true],
    [' No ', false],
    ['FALSE', false],
    ['0', false]
  ])('%j → %s, for every boolean input', (word, want) => {
    expect(parseInputs({ image: 'a', provenance: word, sign: word, summary: word })).toMatchObject({ provenance: want, sign: want, summary: want })
  })

  test('another word is refused once, naming the input (it used to be parsed, then reported again)', () => {
    expect(fail({ image: 'a', summary: 'maybe' }).problems).toEqual(['input summary must be true or false, got "maybe"'])
  })
})

describe('numbers', () => {
  test('verify-timeout takes a fraction of a second; depth takes whole levels only', () => {
    expect(parseInputs({ image: 'a', 'verify-timeout': '2.5' }).verifyTimeoutSeconds).toBe(2.5)
    expect(parseInputs({ image: 'a', command: 'discover', depth: '8' }).depth).toBe(8)
    expect(fail({ image: 'a', command: 'discover', depth: '2.5' }).message).toBe('input depth must be a whole number from 1 to 8, got "2.5"')
    expect(fail({ image: 'a', 'verify-timeout': '601' }).message).toBe('input verify-timeout must be a number of seconds from 0 to 600, got "601"')
  })
})

test('every problem is named, each kept apart for the action and joined by "; " in one line', () => {
  const e = fail({ image: '', mode: 'x', provenance: 'maybe', 'verify-timeout': 'soon', format: 'yaml' })
  expect(e.problems).toEqual([
    'input image is required. Give [registry/]repository[:tag][@digest] or oci:<dir>[:tag]',
    'input verify-timeout must be a number of seconds from 0 to 600, got "soon"',
    'input mode must be artifact or annotations, got "x"',
    'input provenance must be true or false, got "maybe"',
    'input format must be one of tree, table, json, got "yaml"'
  ])
  expect(e.message).toBe(e.problems.join('; '))
})

test('a rule across inputs is checked even when another input is bad', () => {
  // the subject's digest disagreement and the attach section's mode conflict, beside a bad boolean elsewhere
  const d = `sha256:${'a'.repeat(64)}`
  const e = fail({ image: `a@${d}`, digest: `sha256:${'b'.repeat(64)}`, mode: 'annotations', sbom: 'x.json', summary: 'maybe' })
  expect(e.problems).toEqual([
    expect.stringMatching(/^input digest sha256:b+ does not match the digest in image/),
    'input sbom needs mode: artifact: it is attached as its own referrer, not into annotations. Use mode: artifact',
    'input summary must be true or false, got "maybe"'
  ])
})

describe('the CLI takes its flags from the table', () => {
  test('list and lines inputs repeat, joined by newlines: --insecure-registries, --sigstore', () => {
    const p = parseArgv([
      'attach',
      'x',
      '--insecure-registries',
      'a:5000',
      '--insecure-registries=b:5000',
      '--sigstore',
      'fulcio=https://fulcio.example',
      '--sigstore',
      'rekor=https://rekor.example'
    ])
    expect(p.raw).toMatchObject({ 'insecure-registries': 'a:5000\nb:5000', sigstore: 'fulcio=https://fulcio.example\nrekor=https://rekor.example' })
    expect(parseInputs(p.raw)).toMatchObject({
      insecureRegistries: ['a:5000', 'b:5000'],
      sigstore: { kind: 'custom', fulcioURL: 'https://fulcio.example', rekorURL: 'https://rekor.example' }
    })
  })

  test('any other option given twice counts once, the last', () => {
    expect(parseArgv(['verify', 'x', '--revision', 'abcdef1', '--revision', 'abcdef2']).raw.revision).toBe('abcdef2')
  })

  test('every boolean input takes an optional word, in any case: --sign, --sign NO, --provenance=Yes', () => {
    expect(parseArgv(['attach', '--sign', 'NO', 'x', '--provenance=Yes']).raw).toMatchObject({ image: 'x', sign: 'NO', provenance: 'Yes' })
    expect(parseArgv(['attach', 'x', '--sign']).raw.sign).toBe('true')
  })

  test('the action-only input (summary) is no option of the CLI', () => {
    expect(() => parseArgv(['attach', 'x', '--summary'])).toThrow(/unknown option --summary/)
  })
})
