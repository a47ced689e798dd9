import { cliMain, helpText, parseArgv } from '../../src/cli-main.js'
import { parseDuration, parseInputs } from '../../src/inputs.js'

/** An X25519 age recipient, as age-keygen prints it. */
const AGE_RECIPIENT = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p'

test('defaults apply to empty inputs, as the runner passes unset ones', () => {
  const i = parseInputs({ image: 'nginx', command: '', mode: '', provenance: '', summary: '', 'verify-timeout': '' })
  expect(i).toMatchObject({
    command: 'attach',
    mode: 'artifact',
    provenance: false,
    summary: true,
    verifyTimeoutSeconds: 30,
    platforms: 'index',
    annotationPrefix: 'dev.oci-build-metadata'
  })
})

test('list inputs split on newlines and commas; annotations on lines', () => {
  const i = parseInputs({
    image: 'a/b',
    sbom: 'a.json, b.json\nc/*.json',
    require: 'metadata,sbom',
    annotations: 'org.example.team=core\n# comment\norg.example.url=https://x/?a=b'
  })
  expect(i.sbom).toEqual(['a.json', 'b.json', 'c/*.json'])
  expect(i.require).toEqual(['metadata', 'sbom'])
  expect(i.annotations).toEqual({ 'org.example.team': 'core', 'org.example.url': 'https://x/?a=b' })
})

test.each([
  [{ image: '' }, /input image is required/],
  [{ image: 'a', command: 'push' }, /command must be one of attach, verify, discover/],
  [{ image: 'a', digest: 'sha256:xyz' }, /is not a digest/],
  [{ image: 'a', username: 'u' }, /password is missing/],
  [{ image: 'a', password: 'p4ssw0rd' }, /username is missing/],
  [{ image: 'a', 'verify-timeout': '-1' }, /verify-timeout must be a number/],
  [{ image: 'a', 'verify-timeout': '9999' }, /verify-timeout must be a number/],
  [{ image: 'a', 'max-age': 'soon' }, /max-age must be a duration/],
  [{ image: 'a', provenance: 'maybe' }, /provenance must be true or false/],
  [{ image: 'a', annotations: 'novalue' }, /is not key=value/],
  [{ image: 'a', 'annotation-prefix': 'Not A Domain' }, /annotation-prefix must be a reverse-domain/],
  [{ image: 'a', platforms: 'some' }, /platforms must be index or each/],
  // the one prefix rule, here and in the codec: foo-bar is no reverse-domain name
  [{ image: 'a', 'annotation-prefix': 'foo-bar' }, /annotation-prefix must be a reverse-domain/],
  [{ image: `a@sha256:${'a'.repeat(64)}`, digest: `sha256:${'b'.repeat(64)}` }, /does not match the digest in image/],
  [{ image: 'a', require: 'metadata, signatures' }, /require: "signatures" is not one of metadata, sbom, provenance, signature, private, a predicate type URI/],
  [{ image: 'a', annotations: 'dev.oci-build-metadata.version=2' }, /key dev\.oci-build-metadata\.version is reserved/],
  [{ image: 'a', mode: 'annotations', sbom: 'sbom.json' }, /input sbom needs mode: artifact/],
  [{ image: 'a', mode: 'annotations', provenance: 'true' }, /input provenance needs mode: artifact/],
  [{ image: 'a', mode: 'annotations', sign: 'true' }, /input sign needs mode: artifact/],
  [{ image: 'a', signer: 'release.yml' }, /input signer "release\.yml" is neither a repository/],
  [{ image: 'a', sigstore: 'fulcio=https://f.example' }, /has neither a rekor= nor a tsa= line/],
  [{ image: 'a', matrix: '{not json' }, /input matrix must be JSON/],
  // max-age: a positive duration; zero (any unit) would fail every document, so it is refused
  [{ image: 'a', command: 'verify', 'max-age': '0' }, /input max-age must be more than 0, got "0": every document is older than that\. Give e\.g\. 90d/],
  [{ image: 'a', command: 'verify', 'max-age': '0s' }, /input max-age must be more than 0, got "0s"/],
  [{ image: 'a', command: 'verify', 'max-age': '-1d' }, /input max-age must be positive, got "-1d"\. Give how old the metadata may be/],
  [
    { image: 'a', command: 'get', 'artifact-type': 'signatures' },
    /input artifact-type "signatures" is neither metadata, sbom, provenance, private nor an artifactType/
  ],
  // the private part: recipients and something to encrypt go together; each recipient has age's shape
  [{ image: 'a', private: '{"ticket":"INC-4711"}' }, /input private needs recipients: the age public keys it is encrypted for/],
  [{ image: 'a', 'private-file': 'private.json' }, /input private needs recipients/],
  [{ image: 'a', recipients: AGE_RECIPIENT }, /input recipients is given but there is nothing to encrypt for them/],
  [
    { image: 'a', private: '{"a":1}', recipients: `${AGE_RECIPIENT}\nssh-ed25519 AAAAC3Nza` },
    /recipients: entry 2 \(ssh-ed25519 AAAAC3Nza\) is not an age recipient/
  ],
  [
    { image: 'a', command: 'verify', policy: Array.from({ length: 65 }, (_, i) => `image.digest != "${i}"`).join('\n') },
    /input policy: 65 expressions is more than the 64 allowed/
  ],
  [{ image: 'a', command: 'get', artifact: 'sha256:abc' }, /input artifact "sha256:abc" is not a digest/],
  [{ image: 'a', command: 'get', platform: 'amd64' }, /input platform must be os\/architecture\[\/variant\] like linux\/amd64/],
  [{ image: 'a', command: 'discover', depth: '0' }, /input depth must be a whole number from 1 to 8, got "0"/],
  [{ image: 'a', command: 'discover', format: 'yaml' }, /input format must be one of tree, table, json, got "yaml"/],
  [{ image: 'a', annotations: 'foo' }, /annotations: line "foo" is not key=value\. Write one key=value per line/]
])('bad input %j is refused with a message that names it', (raw, msg) => {
  expect(() => parseInputs(raw)).toThrow(msg)
})

test('the reference is parsed once, and the digest to act on agrees with it', () => {
  const d = `sha256:${'c'.repeat(64)}`
  expect(parseInputs({ image: `ghcr.io/acme/app:1.4@${d}` })).toMatchObject({ ref: { name: 'ghcr.io/acme/app', tag: '1.4', digest: d }, digest: d })
  expect(parseInputs({ image: 'ghcr.io/acme/app:1.4', digest: d })).toMatchObject({ ref: { tag: '1.4' }, digest: d })
  expect(parseInputs({ image: 'com.example.build', 'annotation-prefix': 'com.example.build' }).annotationPrefix).toBe('com.example.build')
})

test('several problems come back in one line', () => {
  try {
    parseInputs({ image: '', mode: 'x' })
    throw new Error('expected a failure')
  } catch (e) {
    expect((e as Error).message).toMatch(/image is required\. Give .*; input mode must be/)
    expect((e as Error).message).not.toContain('\n')
  }
})

test('parseDuration', () => {
  expect([parseDuration('90d'), parseDuration('12h'), parseDuration('30m'), parseDuration('45'), parseDuration('2w')]).toEqual([
    90 * 86400e3,
    12 * 3600e3,
    30 * 60e3,
    45e3,
    14 * 86400e3
  ])
  expect(parseDuration('1.5h')).toBeUndefined()
})

describe('parseArgv', () => {
  test('command, positional image, flags with and without =, booleans and repeatable lists', () => {
    const p = parseArgv(['verify', 'ghcr.io/a/b:1', '--require', 'sbom', '--require=provenance', '--json', '--provenance', '--verify-timeout=5'])
    expect(p.command).toBe('verify')
    expect(p.raw).toMatchObject({ image: 'ghcr.io/a/b:1', command: 'verify', require: 'sbom\nprovenance', provenance: 'true', 'verify-timeout': '5' })
    expect(p.flags.has('json')).toBe(true)
  })
  test('an image alone is attach, as the help says', () => {
    const p = parseArgv(['ghcr.io/a/b:1', '--provenance'])
    expect(p.command).toBeUndefined()
    expect(p.raw).toMatchObject({ image: 'ghcr.io/a/b:1', provenance: 'true' })
    expect(p.raw.command).toBeUndefined()
    expect(parseInputs(p.raw).command).toBe('attach')
  })
  test('a boolean takes an optional value: --provenance false is not read as a word of its own', () => {
    expect(parseArgv(['attach', '--provenance', 'false', 'ghcr.io/a/b:1']).raw).toMatchObject({
      command: 'attach',
      image: 'ghcr.io/a/b:1',
      provenance: 'false'
    })
    expect(parseArgv(['ghcr.io/a/b:1', '--provenance', 'false']).raw).toMatchObject({ image: 'ghcr.io/a/b:1', provenance: 'false' })
    expect(parseArgv(['ghcr.io/a/b:1', '--sign=true', '--provenance']).raw).toMatchObject({ sign: 'true', provenance: 'true' })
  })
  test('a value that starts with a dash reaches the input check: --max-age -1d and --max-age=-1d', () => {
    expect(parseArgv(['verify', 'x', '--max-age', '-1d']).raw['max-age']).toBe('-1d')
    expect(parseArgv(['verify', 'x', '--max-age=-1d']).raw['max-age']).toBe('-1d')
    // but an option of ours after a flag is the next option, not its value
    expect(() => parseArgv(['verify', 'x', '--digest', '--json'])).toThrow(/option --digest needs a value/)
  })
  test('help [command] and <command> --help', () => {
    expect(parseArgv(['help'])).toMatchObject({ help: '' })
    expect(parseArgv(['help', 'verify'])).toMatchObject({ help: 'verify' })
    expect(parseArgv(['attach', '--help'])).toMatchObject({ help: 'attach' })
    expect(() => parseArgv(['help', 'push'])).toThrow(/help: there is no command "push"/)
  })
  test.each([
    [['attach', 'x', '--nope'], /unknown option --nope/],
    [['attach', 'x', '--digest'], /option --digest needs a value/],
    [['attach', 'x', 'y'], /unexpected argument "y"/],
    [['attach', 'x', '--image', 'z'], /the image was given twice/]
  ])('%j is refused', (argv, msg) => {
    expect(() => parseArgv(argv)).toThrow(msg)
  })
})

/** The CLI in process, with its streams collected. */
async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await cliMain(argv, { stdout: s => (stdout += s), stderr: s => (stderr += s), env: {}, cwd: '/' })
  return { code, stdout, stderr }
}

describe('the CLI reads as documented', () => {
  test("help and help <command> exit 0; a command's help lists its own options only", async () => {
    expect(await cli(['help'])).toMatchObject({ code: 0, stdout: helpText() })
    const verify = await cli(['verify', '--help'])
    expect(verify.code).toBe(0)
    expect(verify.stdout).toMatch(/^Usage: oci-build-metadata verify <image>/)
    for (const own of ['--require', '--revision', '--max-age', '--signer', '--digest', '--json']) expect(verify.stdout).toContain(own)
    for (const other of ['--sbom', '--provenance', '--metadata-file', '--artifact-type', '--output']) expect(verify.stdout).not.toContain(other)
    const attach = await cli(['help', 'attach'])
    expect(attach.stdout).toContain('--sbom')
    expect(attach.stdout).not.toContain('--require')
    expect((await cli(['help', 'get'])).stdout).toMatch(/--artifact-type[\s\S]*--platform[\s\S]*--output/)
  })

  test.each([
    [['verify', 'ghcr.io/a/b:1', '--sbom', 'x.json'], /option --sbom does not apply to verify: it is for attach only .*\. Leave it out of verify/],
    [['attach', 'ghcr.io/a/b:1', '--require', 'sbom'], /option --require does not apply to attach: it is for verify only/],
    [['attach', 'ghcr.io/a/b:1', '--revision', 'abcdef1'], /option --revision does not apply to attach/],
    [
      ['ghcr.io/a/b:1', '--revision', 'abcdef1', '--require', 'sbom'],
      /option --revision does not apply to attach.*; option --require does not apply to attach/
    ],
    [['get', 'ghcr.io/a/b:1', '--platforms', 'each'], /option --platforms does not apply to get.*get reads one with platform: linux\/amd64/],
    [['discover', 'ghcr.io/a/b:1', '--json', '--format', 'table'], /--json and --format table ask for two outputs/]
  ])('an option that does not apply to the command: exit 2 naming both (%j)', async (argv, message) => {
    const r = await cli(argv)
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(message)])
  })

  test('a harmless option that does not apply is a warning, and the command runs', async () => {
    // discover of a layout that is not there: the warning comes first, then the command's own error (exit 1)
    const r = await cli(['discover', 'oci:/nonexistent/layout:v1', '--verify-timeout', '5'])
    expect(r.stderr.split('\n')[0]).toMatch(/^warning: option --verify-timeout does not apply to discover/)
    expect(r.code).toBe(1)
  })

  test('--json is honoured when the command line cannot be read: an object with the error, exit 2', async () => {
    const r = await cli(['verify', 'ghcr.io/a/b:1', '--json', '--nope'])
    expect(r.code).toBe(2)
    expect(JSON.parse(r.stdout)).toEqual({ command: 'verify', verified: false, missing: [], 'exit-code': 2, error: 'unknown option --nope. See --help.' })
    const bad = await cli(['verify', 'ghcr.io/a/b:1', '--json', '--max-age', '-1d'])
    expect(bad.code).toBe(2)
    expect(JSON.parse(bad.stdout)).toMatchObject({
      command: 'verify',
      'exit-code': 2,
      error: expect.stringMatching(/input max-age must be positive, got "-1d"/)
    })
  })

  test('--json false is read as the rest of the command line reads it: no JSON, and --format table is no conflict', async () => {
    const bad = await cli(['verify', 'ghcr.io/a/b:1', '--json', 'false', '--max-age', '-1d'])
    expect(bad.code).toBe(2)
    expect(bad.stdout).toBe('')
    expect(bad.stderr).toMatch(/^error: input max-age must be positive, got "-1d"/)
    const table = await cli(['discover', 'ghcr.io/a/b:1', '--json', 'false', '--format', 'table', '--max-age', '-1d'])
    expect(table.stderr).not.toMatch(/ask for two outputs/)
    expect(table.stdout).toBe('')
  })
})
