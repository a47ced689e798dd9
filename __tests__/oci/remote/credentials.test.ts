import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { clearSecrets, redact } from '../../../src/log.js'
import { configKeyHost, dockerConfigPath, resolveCredentials } from '../../../src/oci/remote/credentials.js'

let dir: string
let bin: string
const b64 = (s: string): string => Buffer.from(s).toString('base64')

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'creds-'))
  bin = join(dir, 'bin')
  await writeFile(join(dir, 'placeholder'), '')
  await import('node:fs/promises').then(fs => fs.mkdir(bin))
  // a fake credential helper: knows two servers, logs what it was asked
  await writeFile(
    join(bin, 'docker-credential-test'),
    `#!/bin/sh
[ "$1" = get ] || exit 2
read server
echo "$server" >> "${join(dir, 'asked.log')}"
case "$server" in
  helper.example) echo '{"ServerURL":"helper.example","Username":"helper-user","Secret":"helper-secret-1"}' ;;
  https://index.docker.io/v1/) echo '{"ServerURL":"https://index.docker.io/v1/","Username":"hub-user","Secret":"hub-secret-1"}' ;;
  token.example) echo '{"ServerURL":"token.example","Username":"<token>","Secret":"identity-token-1"}' ;;
  broken.example) echo 'oops' >&2; exit 3 ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`
  )
  await chmod(join(bin, 'docker-credential-test'), 0o755)
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})
afterEach(() => clearSecrets())

async function withConfig(config: unknown): Promise<NodeJS.ProcessEnv> {
  const cfg = await mkdtemp(join(dir, 'cfg-'))
  await writeFile(join(cfg, 'config.json'), JSON.stringify(config))
  return { DOCKER_CONFIG: cfg, PATH: `${bin}:${process.env.PATH}` }
}

describe('config.json auths', () => {
  test('exact host match, decoded from base64, secrets masked', async () => {
    const env = await withConfig({ auths: { 'localhost:5000': { auth: b64('alice:pa55word') }, localhost: { auth: b64('bob:other-pass') } } })
    expect(await resolveCredentials('localhost:5000', env)).toEqual({
      username: 'alice',
      password: 'pa55word',
      source: `config.json ${env.DOCKER_CONFIG}/config.json`
    })
    expect(await resolveCredentials('localhost:5001', env)).toBeUndefined()
    expect(redact(`x pa55word ${b64('alice:pa55word')}`)).toBe('x *** ***')
  })

  test("a key with a scheme matches its host; docker.io matches Docker Hub's v1 URL", async () => {
    const env = await withConfig({
      auths: { 'https://index.docker.io/v1/': { auth: b64('hub:hub-pass') }, 'https://ghcr.io': { username: 'u', password: 'ghcr-pass' } }
    })
    expect(await resolveCredentials('docker.io', env)).toMatchObject({ username: 'hub', password: 'hub-pass' })
    expect(await resolveCredentials('ghcr.io', env)).toMatchObject({ username: 'u', password: 'ghcr-pass' })
  })

  test('does not match by suffix or prefix', async () => {
    const env = await withConfig({ auths: { 'example.com': { auth: b64('a:secret-a') } } })
    expect(await resolveCredentials('evil-example.com', env)).toBeUndefined()
    expect(await resolveCredentials('example.com.evil', env)).toBeUndefined()
    expect(await resolveCredentials('registry.example.com', env)).toBeUndefined()
  })

  test('identity tokens', async () => {
    const env = await withConfig({ auths: { 'acr.example': { auth: b64('00000000-0000-0000-0000-000000000000:'), identitytoken: 'refresh-token-xyz' } } })
    const c = await resolveCredentials('acr.example', env)
    expect(c?.token).toBe('refresh-token-xyz')
    expect(redact('refresh-token-xyz')).toBe('***')
  })
})

describe('credential helpers', () => {
  test('credHelpers for the host', async () => {
    const env = await withConfig({ credHelpers: { 'helper.example': 'test' }, auths: { 'helper.example': { auth: b64('file:file-pass') } } })
    expect(await resolveCredentials('helper.example', env)).toMatchObject({
      username: 'helper-user',
      password: 'helper-secret-1',
      source: 'docker-credential-test, named in config.json'
    })
    expect(redact('helper-secret-1')).toBe('***')
  })

  test('credsStore with Docker Hub asked as its v1 URL', async () => {
    const env = await withConfig({ credsStore: 'test', auths: { 'https://index.docker.io/v1/': {} } })
    expect(await resolveCredentials('docker.io', env)).toMatchObject({ username: 'hub-user', password: 'hub-secret-1' })
  })

  test('username <token> means an identity token', async () => {
    const env = await withConfig({ credsStore: 'test' })
    expect(await resolveCredentials('token.example', env)).toMatchObject({ token: 'identity-token-1' })
  })

  test('credentials not found → the next source (auths), then nothing', async () => {
    const env = await withConfig({ credsStore: 'test', auths: { 'other.example': { auth: b64('o:other-pass') } } })
    expect(await resolveCredentials('other.example', env)).toMatchObject({ username: 'o', password: 'other-pass' })
    expect(await resolveCredentials('none.example', env)).toBeUndefined()
  })

  test('a failing or missing helper warns and falls through', async () => {
    const warnings: string[] = []
    const logger = { debug() {}, info() {}, warning: (m: string) => warnings.push(m), group: <T>(_n: string, fn: () => Promise<T>) => fn() }
    const env = await withConfig({ credHelpers: { 'broken.example': 'test', 'missing.example': 'nope-not-installed' } })
    expect(await resolveCredentials('broken.example', env, logger)).toBeUndefined()
    expect(await resolveCredentials('missing.example', env, logger)).toBeUndefined()
    expect(warnings.join('\n')).toMatch(/docker-credential-test failed for broken.example \(exit 3\): oops/)
    expect(warnings.join('\n')).toMatch(/docker-credential-nope-not-installed could not be run/)
  })
})

describe('fallbacks', () => {
  test('GITHUB_TOKEN for ghcr.io only', async () => {
    const env = { HOME: dir, GITHUB_TOKEN: 'ghs_faketoken123', GITHUB_ACTOR: 'octocat' }
    expect(await resolveCredentials('ghcr.io', env)).toMatchObject({ username: 'octocat', password: 'ghs_faketoken123' })
    expect(await resolveCredentials('docker.io', env)).toBeUndefined()
    expect(redact('ghs_faketoken123')).toBe('***')
  })

  test('no config file → undefined; config path from DOCKER_CONFIG or HOME', async () => {
    expect(await resolveCredentials('localhost:5000', { HOME: join(dir, 'nowhere') })).toBeUndefined()
    expect(dockerConfigPath({ DOCKER_CONFIG: '/x' })).toBe('/x/config.json')
    expect(dockerConfigPath({ HOME: '/home/u' })).toBe('/home/u/.docker/config.json')
  })

  test.each([
    ['https://index.docker.io/v1/', 'docker.io'],
    ['registry-1.docker.io', 'docker.io'],
    ['https://GHCR.io/', 'ghcr.io'],
    ['http://localhost:5000/v2/', 'localhost:5000'],
    ['quay.io', 'quay.io']
  ])('configKeyHost(%s) = %s', (key, host) => {
    expect(configKeyHost(key)).toBe(host)
  })
})
