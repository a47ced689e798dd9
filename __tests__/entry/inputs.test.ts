import { parseArgv } from '../../src/cli-main.js'
import { parseDuration, parseInputs } from '../../src/inputs.js'

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
  [{ image: 'a', require: 'metadata, signatures' }, /require: "signatures" is not one of metadata, sbom, provenance, signature, a predicate type URI/],
  [{ image: 'a', annotations: 'dev.oci-build-metadata.version=2' }, /key dev\.oci-build-metadata\.version is reserved/],
  [{ image: 'a', mode: 'annotations', sbom: 'sbom.json' }, /input sbom needs mode: artifact/],
  [{ image: 'a', mode: 'annotations', provenance: 'true' }, /input provenance needs mode: artifact/],
  [{ image: 'a', mode: 'annotations', sign: 'true' }, /input sign needs mode: artifact/],
  [{ image: 'a', signer: 'release.yml' }, /input signer "release\.yml" is neither a repository/],
  [{ image: 'a', sigstore: 'fulcio=https://f.example' }, /has neither a rekor= nor a tsa= line/],
  [{ image: 'a', matrix: '{not json' }, /input matrix must be JSON/]
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
  test.each([
    [['attach', 'x', '--nope'], /unknown option --nope/],
    [['attach', 'x', '--digest'], /option --digest needs a value/],
    [['attach', 'x', 'y'], /unexpected argument "y"/],
    [['attach', 'x', '--image', 'z'], /the image was given twice/]
  ])('%j is refused', (argv, msg) => {
    expect(() => parseArgv(argv)).toThrow(msg)
  })
})
