import { isOciError } from '../../src/errors.js'
import { MAX_USER_METADATA_BYTES, parseUserMetadata } from '../../src/metadata/user.js'
import { looksRandom } from '../../src/metadata/secrets.js'

function refusal(text: string): Error {
  try {
    parseUserMetadata(text, 'metadata-file meta.json')
  } catch (e) {
    expect(isOciError(e, 'INVALID_INPUT')).toBe(true)
    return e as Error
  }
  throw new Error('expected a refusal')
}

// assembled at run time so no scanner mistakes this file for a leak
const ghp = 'ghp_' + 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7d'
const pat = 'github_pat_' + '11ABCDEFG0aBcDeFgHiJkL_mNoPqRsTuVwXyZ0123456789aBcDeFgHiJkLmNoPqRsTuVw'
const glpat = 'glpat-' + 'xY7zAbCdEfGhIjKlMnOp'
const akia = 'AKIA' + 'IOSFODNN7EXAMPLE'
const slack = 'xoxb-' + '123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx'
const jwt = 'eyJhbGciOiJIUzI1NiJ9' + '.eyJzdWIiOiIxMjM0NTY3ODkwIn0' + '.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk'
const pem = '-----BEGIN ' + 'OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----'
const random = 'Zx8Qp2Lr7Vt4Nw9Ks1Hb6Jd3Fg5Mc0Ya8Ue2Ro7Ti'

describe('parseUserMetadata', () => {
  it('accepts a JSON object with ordinary build facts, digests and commit ids included', () => {
    const v = {
      team: 'platform',
      ticket: 'OPS-1234',
      base: 'sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270',
      commit: '4f1c2a7d9e0b8c6a5f3e2d1c0b9a8f7e6d5c4b3a',
      uuid: '3e671687-395b-41f5-a30f-a58921a69b79',
      url: 'https://example.com/builds/42?x=1',
      tokenizer: 'bpe',
      nested: { list: [1, 2, { ok: true }], password_required: false, secret: null },
      description: 'Builds the app image for the ThisIsALongCamelCaseIdentifierName service'
    }
    expect(parseUserMetadata(JSON.stringify(v), 'metadata')).toEqual(v)
    expect(parseUserMetadata('  ', 'metadata')).toEqual({})
  })

  it.each([
    ['bad JSON', '{"a": 1,', /metadata-file meta\.json: not valid JSON/],
    ['an array', '[1,2]', /expected a JSON object, got an array/],
    ['a string', '"x"', /expected a JSON object, got a string/],
    ['null', 'null', /got null/]
  ])('refuses %s naming the source', (_n, text, msg) => {
    expect(refusal(text).message).toMatch(msg)
  })

  it('refuses more than MAX_USER_METADATA_BYTES', () => {
    expect(refusal(JSON.stringify({ a: 'x'.repeat(MAX_USER_METADATA_BYTES) })).message).toMatch(/more than/)
  })

  it('refuses deep nesting', () => {
    expect(refusal('['.repeat(40) + ']'.repeat(40)).message).toMatch(/expected a JSON object/)
    expect(refusal(`{"a":${'['.repeat(40)}${']'.repeat(40)}}`).message).toMatch(/nested deeper/)
  })

  it.each([
    ['token', { deploy: { token: 'abc' } }, '$.deploy.token'],
    ['password', { db_password: 'hunter2' }, '$.db_password'],
    ['Secret (any case)', { CLIENT_SECRET: 'x' }, '$.CLIENT_SECRET'],
    ['api-key', { 'api-key': 'k' }, '$["api-key"]'],
    ['apiKey', { apiKey: 1234 }, '$.apiKey'],
    ['private_key', { signing: { private_key: 'k' } }, '$.signing.private_key'],
    ['credentials object', { credentials: { user: 'u' } }, '$.credentials'],
    ['in an array', { hosts: [{ name: 'a' }, { accessKey: 'x' }] }, '$.hosts[1].accessKey']
  ])('refuses by key name: %s', (_n, value, path) => {
    const msg = refusal(JSON.stringify(value)).message
    expect(msg).toContain(path)
    expect(msg).toContain('metadata-file meta.json')
  })

  it.each([
    ['GitHub classic', 'a GitHub token', ghp],
    ['GitHub fine-grained', 'a GitHub token', pat],
    ['GitLab', 'a GitLab token', glpat],
    ['AWS', 'an AWS access key id', akia],
    ['Slack', 'a Slack token', slack],
    ['JWT', 'a JSON Web Token', jwt],
    ['PEM', 'a PEM private key', pem],
    ['URL credentials', 'a URL with a password', 'https://deploy:' + 'hunter2@registry.example.com/v2/'],
    ['high entropy', 'a random key or token', random],
    ['inside a sentence', 'a GitHub token', `use ${ghp} to deploy`]
  ])('refuses by shape (%s) without echoing the value', (_n, reason, secret) => {
    const msg = refusal(JSON.stringify({ notes: { value: secret } })).message
    expect(msg).toContain('$.notes.value')
    expect(msg).toContain(reason)
    expect(msg).not.toContain(secret)
    for (const part of secret.split(/[\s:@/.]+/).filter(p => p.length >= 8)) expect(msg).not.toContain(part)
  })

  it('lists every offending path in one message', () => {
    const msg = refusal(JSON.stringify({ token: 'a', b: [akia], c: { password: 'p' } })).message
    expect(msg).toContain('$.token')
    expect(msg).toContain('$.b[0]')
    expect(msg).toContain('$.c.password')
  })

  it('does not echo a secret-shaped value from bad JSON', () => {
    const msg = refusal(`{"x": "${ghp}" oops}`).message
    expect(msg).not.toContain(ghp)
  })
})

describe('looksRandom', () => {
  it.each([
    [random, true],
    ['4f1c2a7d9e0b8c6a5f3e2d1c0b9a8f7e6d5c4b3a', false],
    ['sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270', false],
    ['ThisIsALongCamelCaseIdentifierNameForSomething', false],
    ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaA1', false],
    ['short1Aa', false]
  ])('%s → %s', (s, expected) => {
    expect(looksRandom(s)).toBe(expected)
  })
})
