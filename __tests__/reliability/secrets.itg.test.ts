/**
 * Secrets never leak. attach and verify run through the bundled action (RUNNER_DEBUG=1) and the
 * bundled CLI (--debug) with: (a) Basic credentials against distribution with htpasswd, (b) the
 * Bearer token flow against the in-process registry, (c) Docker's config.json with a base64 `auths`
 * entry and a `credHelpers` helper script on PATH, (d) GITHUB_TOKEN for ghcr.io, reached through an
 * HTTPS proxy that demands its own credentials (HTTPS_PROXY=http://user:password@…): the proxy
 * routes ghcr.io:443 to a TLS front (a certificate for ghcr.io from a test CA, trusted through
 * NODE_EXTRA_CA_CERTS) of a loopback registry, so nothing leaves the machine. Every
 * channel — stdout, stderr, the GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, error messages and the
 * documents written to the registry — is scanned for each secret, its base64, the base64 of
 * `user:secret` and every Bearer token the registries issued, and the proxy's password with its
 * URL-encoded and Basic forms. Each test scans the runs it made and the documents they wrote (the
 * scanning is in secret-scan.ts, and two tests show it finds a planted leak). Also: no Authorization to a redirect
 * target, no Basic credentials over plain HTTP to a non-loopback host, least-scope tokens, and
 * referrers whose subject is another image ignored by verify.
 */
import { resolveIn } from '../../__fixtures__/layout.js'
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startConnectProxy, startTlsFront, type ConnectProxy } from '../../__fixtures__/connect-proxy.js'
import { startDistribution, type Distribution } from '../../__fixtures__/distribution.js'
import { useTestHosts } from '../../__fixtures__/hosts.js'
import { makeTestCertificates, type TestCertificates } from '../../__fixtures__/tls-certs.js'
import { startTestRegistry, type TestRegistry } from '../../__fixtures__/registry/index.js'
import { cliMain } from '../../src/cli-main.js'
import { describeError, type OciError } from '../../src/errors.js'
import { clearSecrets } from '../../src/log.js'
import { parseReference } from '../../src/oci/reference.js'
import { RemoteTarget } from '../../src/oci/remote/remote-target.js'
import { pushImage, storeImage, testImage } from '../../__fixtures__/builders.js'
import { target } from '../oci/remote/helpers.js'
import { ACTION_BUNDLE, CLI_BUNDLE, inputEnv, runBundle, type ProcessRun } from './bad-input-helpers.js'
import { channelLeaks, documentLeaks, documentText, expand, masksOf, tokensSeen } from './secret-scan.js'

const SECRET = {
  dist: 'dist-Pa55word-basic-7f3a9c',
  bearer: 'bearer-Pa55word-flow-81d2e4',
  helper: 'helper-Pa55word-credhelper-c0de9',
  github: 'ghs_16C7e42F292c6912E7710c838347Ae178B4a',
  wrong: 'wrong-Pa55word-not-theirs-5b7c1',
  // `@` and `/` must be URL-encoded in HTTPS_PROXY: the decoded and encoded forms are both secrets
  proxy: 'proxy-Pa55@word/corp-4d2a'
}
const USER = { dist: 'dist-user', bearer: 'bearer-user', helper: 'helper-user', github: 'octocat', proxy: 'runner-proxy-user' }
const b64 = (s: string) => Buffer.from(s).toString('base64')

let work: string
let dist: Distribution
let bearer: TestRegistry
let helperReg: TestRegistry
let ghcr: TestRegistry
let certs: TestCertificates
let ghcrFront: { port: number; close(): Promise<void> }
let ghcrProxy: ConnectProxy
/** HTTPS_PROXY with the proxy's credentials, URL-encoded as a user writes them */
const proxyUrl = (password: string) => `http://${USER.proxy}:${encodeURIComponent(password)}@127.0.0.1:${ghcrProxy.port}`
/** every registry started here, closed at the end */
const registries: TestRegistry[] = []

const seed = (reg: TestRegistry, repo: string, tag = 'v1'): string => storeImage(reg, repo, `${repo}-${tag}`, tag)

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'obm-secrets-'))
  dist = await startDistribution({ htpasswd: { username: USER.dist, password: SECRET.dist } })
  const seedTarget = (repo: string) => target(dist.host, repo, { credentials: { username: USER.dist, password: SECRET.dist } })
  await pushImage(seedTarget('basic/app'), 'basic', 'v1')
  await pushImage(seedTarget('auths/app'), 'auths', 'v1')
  bearer = await startTestRegistry({ auth: { kind: 'bearer', username: USER.bearer, password: SECRET.bearer }, redirectBlobs: true })
  helperReg = await startTestRegistry({ auth: { kind: 'bearer', username: USER.helper, password: SECRET.helper } })
  ghcr = await startTestRegistry({ auth: { kind: 'bearer', username: USER.github, password: SECRET.github }, referrersApi: false })
  registries.push(bearer, helperReg, ghcr)
  seed(bearer, 'bearer/app')
  seed(helperReg, 'helper/app')
  seed(ghcr, 'acme/widget')
  // Docker config: a base64 `auths` entry for distribution, a credential helper for the other registry
  await mkdir(join(work, 'docker'))
  await mkdir(join(work, 'bin'))
  await writeFile(
    join(work, 'docker', 'config.json'),
    JSON.stringify({ auths: { [dist.host]: { auth: b64(`${USER.dist}:${SECRET.dist}`) } }, credHelpers: { [helperReg.host]: 'obmtest' } })
  )
  const helper = join(work, 'bin', 'docker-credential-obmtest')
  await writeFile(helper, `#!/bin/sh\nread server\nprintf '{"ServerURL":"%s","Username":"${USER.helper}","Secret":"${SECRET.helper}"}' "$server"\n`)
  await chmod(helper, 0o755)
  // ghcr.io through an authenticating proxy, to a TLS front with a certificate for ghcr.io
  certs = await makeTestCertificates(join(work, 'pki'), ['ghcr.io'], 'unused.test')
  ghcrFront = await startTlsFront(Number(new URL(ghcr.url).port), certs.server)
  ghcrProxy = await startConnectProxy({ hosts: [], routes: { 'ghcr.io:443': ghcrFront.port }, credentials: { username: USER.proxy, password: SECRET.proxy } })
  await mkdir(join(work, 'empty-docker'))
}, 60_000)

afterAll(async () => {
  await ghcrProxy?.close()
  await ghcrFront?.close()
  await dist?.stop()
  await Promise.all(registries.map(r => r.close()))
  if (work) await rm(work, { recursive: true, force: true })
  clearSecrets()
})

interface Scenario {
  label: string
  image: () => string
  /** action inputs beyond image/command (credentials) */
  inputs: () => Record<string, string>
  /** CLI argv beyond command/image */
  argv: () => string[]
  env: () => Record<string, string>
  stdin?: string
  reg?: () => TestRegistry
  /** how to read what was written */
  reader: () => RemoteTarget
}

const baseEnv = (): Record<string, string> => ({
  HOME: work,
  DOCKER_CONFIG: join(work, 'empty-docker'),
  // present everywhere: it must never show, whatever the registry
  GITHUB_TOKEN: SECRET.github,
  GITHUB_ACTOR: USER.github
})

const SCENARIOS: Scenario[] = [
  {
    label: '(a) Basic, distribution with htpasswd',
    image: () => `${dist.host}/basic/app:v1`,
    inputs: () => ({ username: USER.dist, password: SECRET.dist }),
    argv: () => ['--username', USER.dist, '--password-stdin'],
    stdin: `${SECRET.dist}\n`,
    env: baseEnv,
    reader: () => target(dist.host, 'basic/app', { credentials: { username: USER.dist, password: SECRET.dist } })
  },
  {
    label: '(b) Bearer token flow',
    image: () => `${bearer.host}/bearer/app:v1`,
    inputs: () => ({ username: USER.bearer, password: SECRET.bearer }),
    argv: () => ['--username', USER.bearer],
    env: () => ({ ...baseEnv(), OCI_BUILD_METADATA_PASSWORD: SECRET.bearer }),
    reg: () => bearer,
    reader: () => target(bearer.host, 'bearer/app', { credentials: { username: USER.bearer, password: SECRET.bearer } })
  },
  {
    label: '(c) config.json auths (base64)',
    image: () => `${dist.host}/auths/app:v1`,
    inputs: () => ({}),
    argv: () => [],
    env: () => ({ ...baseEnv(), DOCKER_CONFIG: join(work, 'docker') }),
    reader: () => target(dist.host, 'auths/app', { credentials: { username: USER.dist, password: SECRET.dist } })
  },
  {
    label: '(c) config.json credHelpers',
    image: () => `${helperReg.host}/helper/app:v1`,
    inputs: () => ({}),
    argv: () => [],
    env: () => ({ ...baseEnv(), DOCKER_CONFIG: join(work, 'docker'), PATH: `${join(work, 'bin')}:${process.env.PATH}` }),
    reg: () => helperReg,
    reader: () => target(helperReg.host, 'helper/app', { credentials: { username: USER.helper, password: SECRET.helper } })
  },
  {
    label: '(d) GITHUB_TOKEN for ghcr.io',
    image: () => 'ghcr.io/acme/widget:v1',
    inputs: () => ({}),
    argv: () => [],
    env: () => ({ ...baseEnv(), HTTPS_PROXY: proxyUrl(SECRET.proxy), NODE_EXTRA_CA_CERTS: certs.ca }),
    reg: () => ghcr,
    reader: () => target(ghcr.host, 'acme/widget', { credentials: { username: USER.github, password: SECRET.github } })
  }
]

const outputsOf = (text: string): Record<string, string> => {
  const out: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i] as string)
    if (!m) continue
    const value: string[] = []
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i] as string)
    out[m[1] as string] = value.join('\n')
  }
  return out
}

/** Every string that must never appear: each secret, its encoded forms, and the Bearer tokens given. */
function needles(tokens: Iterable<string> = []): string[] {
  const out = new Set<string>()
  const users: Record<string, string> = { dist: USER.dist, bearer: USER.bearer, helper: USER.helper, github: USER.github, wrong: USER.dist, proxy: USER.proxy }
  for (const [k, v] of Object.entries(SECRET)) {
    out.add(v)
    out.add(encodeURIComponent(v))
    out.add(b64(v))
    out.add(b64(`${users[k]}:${v}`))
    out.add(b64(`${USER.bearer}:${v}`))
    out.add(b64(`x-access-token:${v}`))
  }
  for (const t of tokens) out.add(t)
  return [...out]
}

describe.each(SCENARIOS.map(s => [s.label, s] as const))('%s', (_label, s) => {
  test('action attach then verify (RUNNER_DEBUG=1): succeed, pull,push then pull-only tokens, every secret masked, none shown or written', async () => {
    const reg = s.reg?.()
    reg?.resetRequests()
    ghcrProxy.reset()
    const env = {
      ...s.env(),
      RUNNER_DEBUG: '1',
      ...inputEnv({ image: s.image(), command: 'attach', 'verify-timeout': '10', metadata: '{"team":"platform"}', ...s.inputs() })
    }
    const attach = await runBundle(ACTION_BUNDLE, [], env, work)
    expect({ code: attach.code, errors: attach.stdout.split('\n').filter(l => l.startsWith('::error')) }).toEqual({ code: 0, errors: [] })
    const outputs = outputsOf(attach.outputFile)
    expect(outputs.verified).toBe('true')
    const document = await documentText(s.reader(), outputs['artifact-digest'] as string)
    expect(document).toMatch(/\\?"team\\?":\s*\\?"platform/)
    const attachTokens = tokensSeen(reg)
    if (reg) {
      // the scan below looks for real tokens, not none
      expect(attachTokens.size).toBeGreaterThan(0)
      const scopes = reg.tokenRequests.map(r => r.query.scope)
      expect(scopes.length).toBeGreaterThan(0)
      expect(scopes.some(sc => /:pull,push$/.test(sc ?? ''))).toBe(true)
      reg.resetRequests()
    }
    // the run wrote a summary, and debug logging was on
    expect(attach.summaryFile.length).toBeGreaterThan(0)
    expect(attach.stdout).toContain('::debug::')
    // each secret the run learnt was handed to the runner for masking
    const masks = masksOf(attach)
    expect(masks).toContain(SECRET.github)
    if (s.inputs().password) expect(masks).toContain(s.inputs().password)
    if (s.label.includes('credHelpers')) expect(masks).toContain(SECRET.helper)
    if (s.label.includes('auths')) expect(masks).toContain(b64(`${USER.dist}:${SECRET.dist}`))
    if (s.label.startsWith('(d)')) {
      // the proxy's password, decoded and as the Basic header carries it, and the proxy was used
      expect(masks).toEqual(expect.arrayContaining([SECRET.proxy, b64(`${USER.proxy}:${SECRET.proxy}`)]))
      expect(ghcrProxy.tunnels.length).toBeGreaterThan(0)
      expect(new Set(ghcrProxy.tunnels.map(t => t.target))).toEqual(new Set(['ghcr.io:443']))
      // the proxy got its own credentials on CONNECT and never the registry's (TLS runs inside the tunnel)
      expect(new Set(ghcrProxy.proxyAuthorizations)).toEqual(new Set([`Basic ${b64(`${USER.proxy}:${SECRET.proxy}`)}`]))
      expect(ghcrProxy.authorizations).toEqual([])
    }

    const verifyEnv = { ...s.env(), RUNNER_DEBUG: '1', ...inputEnv({ image: s.image(), command: 'verify', ...s.inputs() }) }
    const verify = await runBundle(ACTION_BUNDLE, [], verifyEnv, work)
    expect(verify.code).toBe(0)
    const verifyTokens = tokensSeen(reg)
    if (reg) {
      const scopes = reg.tokenRequests.map(r => r.query.scope)
      expect(scopes.length).toBeGreaterThan(0)
      // verify is read only: it never asks for push
      expect(scopes.every(sc => /^repository:[^:]+:pull$/.test(sc ?? ''))).toBe(true)
      const stdoutMasks = masksOf(verify)
      for (const t of verifyTokens) expect(stdoutMasks).toContain(t)
    }
    const tokens = [...attachTokens, ...verifyTokens]
    expect([
      ...channelLeaks(`${s.label} action attach`, attach, needles(tokens)),
      ...channelLeaks(`${s.label} action verify`, verify, needles(tokens)),
      ...documentLeaks(`${s.label} action`, document, needles(tokens))
    ]).toEqual([])
  }, 60_000)

  test('CLI attach --json --debug then verify --debug: succeed, no secret shown or written', async () => {
    const reg = s.reg?.()
    reg?.resetRequests()
    const attach = await runBundle(
      CLI_BUNDLE,
      ['attach', s.image(), '--json', '--debug', '--verify-timeout', '10', '--metadata', '{"team":"cli"}', ...s.argv()],
      s.env(),
      work,
      {
        ...(s.stdin ? { stdin: s.stdin } : {})
      }
    )
    expect({ code: attach.code, stderrErrors: attach.stderr.split('\n').filter(l => l.startsWith('error:')) }).toEqual({ code: 0, stderrErrors: [] })
    // --debug logs token requests (Bearer registries); Basic registries produce none
    if (reg) expect(attach.stderr).toMatch(/^debug: /m)
    const json = JSON.parse(attach.stdout) as Record<string, string>
    const document = await documentText(s.reader(), json['artifact-digest'] as string)
    expect(document).toMatch(/\\?"team\\?":\s*\\?"cli/)
    const verify = await runBundle(CLI_BUNDLE, ['verify', s.image(), '--debug', ...s.argv()], s.env(), work, { ...(s.stdin ? { stdin: s.stdin } : {}) })
    expect(verify.code).toBe(0)
    const tokens = tokensSeen(reg)
    if (reg) expect(tokens.size).toBeGreaterThan(0)
    expect([
      ...channelLeaks(`${s.label} cli attach`, attach, needles(tokens)),
      ...channelLeaks(`${s.label} cli verify`, verify, needles(tokens)),
      ...documentLeaks(`${s.label} cli`, document, needles(tokens))
    ]).toEqual([])
  }, 60_000)
})

describe('failures carry no secret either', () => {
  test('action: wrong Basic password on distribution → one error line, exit 3 (the registry refused the credentials)', async () => {
    const run = await runBundle(
      ACTION_BUNDLE,
      [],
      { ...baseEnv(), RUNNER_DEBUG: '1', ...inputEnv({ image: `${dist.host}/basic/app:v1`, username: USER.dist, password: SECRET.wrong }) },
      work
    )
    const errors = run.stdout.split('\n').filter(l => l.startsWith('::error'))
    expect({ code: run.code, errors: errors.length }).toEqual({ code: 3, errors: 1 })
    expect(errors[0]).toMatch(new RegExp(`the registry refused the credentials given for ${dist.host} \\(from inputs username/password\\) \\(401\\)`))
    expect(channelLeaks('action wrong password (basic)', run, needles())).toEqual([])
  })

  test('CLI: wrong password in the Bearer flow → one error line, exit 3', async () => {
    bearer.resetRequests()
    const run = await runBundle(
      CLI_BUNDLE,
      ['verify', `${bearer.host}/bearer/app:v1`, '--debug', '--username', USER.bearer],
      { ...baseEnv(), OCI_BUILD_METADATA_PASSWORD: SECRET.wrong },
      work
    )
    expect(run.code).toBe(3)
    expect(run.stderr.split('\n').filter(l => l.startsWith('error:'))).toHaveLength(1)
    expect(channelLeaks('cli wrong password (bearer)', run, needles(tokensSeen(bearer)))).toEqual([])
  })

  test('action and CLI: wrong proxy password → one error line naming the proxy, exit 3', async () => {
    const env = { ...baseEnv(), RUNNER_DEBUG: '1', HTTPS_PROXY: proxyUrl(SECRET.wrong), NODE_EXTRA_CA_CERTS: certs.ca }
    const action = await runBundle(ACTION_BUNDLE, [], { ...env, ...inputEnv({ image: 'ghcr.io/acme/widget:v1', command: 'verify' }) }, work)
    const errors = action.stdout.split('\n').filter(l => l.startsWith('::error'))
    expect({ code: action.code, errors: errors.length }).toEqual({ code: 3, errors: 1 })
    expect(errors[0]).toMatch(
      new RegExp(`the proxy http://127\\.0\\.0\\.1:${ghcrProxy.port} \\(from HTTPS_PROXY\\) refused its credentials \\(407 Proxy Authentication Required\\)`)
    )
    const cli = await runBundle(CLI_BUNDLE, ['verify', 'ghcr.io/acme/widget:v1', '--debug'], env, work)
    expect(cli.code).toBe(3)
    expect(cli.stderr.split('\n').filter(l => l.startsWith('error:'))).toHaveLength(1)
    expect([...channelLeaks('action wrong proxy password', action, needles()), ...channelLeaks('cli wrong proxy password', cli, needles())]).toEqual([])
  })

  test('thrown errors of the client (wrong credentials, refused token) hold no secret', async () => {
    bearer.resetRequests()
    const errors: unknown[] = []
    errors.push(
      await resolveIn(target(bearer.host, 'bearer/app', { credentials: { username: USER.bearer, password: SECRET.wrong } }), 'v1').catch(
        (e: unknown) => e as OciError
      )
    )
    errors.push(
      await resolveIn(target(dist.host, 'basic/app', { credentials: { username: USER.dist, password: SECRET.wrong } }), 'v1').catch(
        (e: unknown) => e as OciError
      )
    )
    const texts = errors.map(e => {
      expect(e).toBeInstanceOf(Error)
      const err = e as Error & { cause?: unknown }
      return [describeError(e), err.message, String(err.stack), String(err.cause), JSON.stringify(e)].join('\n')
    })
    for (const t of texts) for (const n of needles(tokensSeen(bearer))) expect(t).not.toContain(n)
    expect(texts.join('\n')).toMatch(/the registry refused the credentials given for/)
  })
})

describe('the scan finds what it looks for', () => {
  const clean: ProcessRun = {
    code: 0,
    stdout: '::debug::ok\n',
    stderr: 'debug: ok\n',
    outputFile: 'verified<<EOF\ntrue\nEOF\n',
    summaryFile: '### ok\n',
    elapsedMs: 1
  }

  test('in stdout, stderr, the outputs and the summary: each secret, its base64 forms and a token given; ::add-mask:: lines are not shown', () => {
    const token = 'issued-token-7c1d'
    expect(channelLeaks('clean', clean, needles([token]))).toEqual([])
    expect(channelLeaks('masked', { ...clean, stdout: `::add-mask::${SECRET.dist}\n::add-mask::${token}\n` }, needles([token]))).toEqual([])
    const planted: Array<[keyof ProcessRun, string]> = [
      ['stdout', `url http://u:${encodeURIComponent(SECRET.proxy)}@proxy`],
      ['stderr', `debug: Authorization: Basic ${b64(`${USER.dist}:${SECRET.dist}`)}`],
      ['outputFile', `token<<EOF\n${token}\nEOF`],
      ['summaryFile', `| x-access-token | ${b64(`x-access-token:${SECRET.github}`)} |`]
    ]
    for (const [channel, text] of planted) expect(channelLeaks('planted', { ...clean, [channel]: text }, needles([token])).length).toBeGreaterThan(0)
  })

  test('in a document: the manifest text, an annotation in base64 or gzip+base64, a layer', async () => {
    const { gzipSync } = await import('node:zlib')
    expect(documentLeaks('clean', expand('{"team":"platform"}', { doc: b64('{"team":"platform"}') }), needles())).toEqual([])
    expect(documentLeaks('text', `{"password":"${SECRET.bearer}"}`, needles())).toHaveLength(1)
    expect(documentLeaks('base64', expand('{}', { doc: b64(`{"password":"${SECRET.helper}"}`) }), needles())).toHaveLength(1)
    const gz = gzipSync(Buffer.from(`{"password":"${SECRET.dist}"}`)).toString('base64')
    expect(documentLeaks('gzip', expand('{}', { doc: gz }), needles())).toHaveLength(1)
  })
})

describe('transport rules', () => {
  test('Authorization never goes to the redirect target of a blob', async () => {
    bearer.resetRequests()
    const t = target(bearer.host, 'bearer/app', { credentials: { username: USER.bearer, password: SECRET.bearer } })
    const { config } = testImage('bearer/app-v1')
    const bytes = await t.fetchBlob(config.descriptor)
    expect(Buffer.from(bytes).equals(Buffer.from(config.bytes))).toBe(true)
    expect(bearer.redirectRequests.length).toBeGreaterThan(0)
    expect(bearer.redirectRequests.filter(r => r.headers.authorization !== undefined)).toEqual([])
    // the registry's own origin did get it: the check above is not vacuous
    const blobGets = bearer.requests.filter(r => r.origin === 'registry' && r.method === 'GET' && r.path.includes('/blobs/'))
    expect(blobGets.length).toBeGreaterThan(0)
    expect(blobGets.some(r => /^Bearer /.test(r.headers.authorization ?? '') && r.status === 307)).toBe(true)
  })

  test('Basic credentials are never sent over plain HTTP to a non-loopback host (insecure-registries)', async () => {
    const basic = await startTestRegistry({ auth: { kind: 'basic', username: 'u-insecure', password: 'insecure-Pa55word-9e1' } })
    registries.push(basic)
    seed(basic, 'app')
    // registry.example.test resolves to the loopback registry, in this process only
    const undo = useTestHosts(['registry.example.test'])
    const name = `registry.example.test:${new URL(basic.url).port}`
    try {
      const t = new RemoteTarget(parseReference(`${name}/app:v1`), {
        credentials: { username: 'u-insecure', password: 'insecure-Pa55word-9e1' },
        insecureRegistries: [name],
        retries: 0,
        env: {}
      })
      const err = (await resolveIn(t, 'v1').catch((e: unknown) => e as OciError)) as Error
      expect(describeError(err)).toContain(`refusing to send credentials over plain HTTP to ${name}`)
      // the same through the CLI: one error line, bad usage
      const lines: string[] = []
      const code = await cliMain(['verify', `${name}/app:v1`, `--insecure-registries=${name}`, '--username=u-insecure', '--password=insecure-Pa55word-9e1'], {
        stdout: () => {},
        stderr: s => lines.push(s),
        env: { HOME: work, DOCKER_CONFIG: join(work, 'empty-docker') },
        cwd: work
      })
      expect(code).toBe(2)
      expect(lines.join('').trim().split('\n')).toEqual([
        expect.stringMatching(new RegExp(`^error: refusing to send credentials over plain HTTP to ${name.replace(/\./g, '\\.')}`))
      ])
      expect(lines.join('')).not.toContain('insecure-Pa55word-9e1')
      // the registry was reached (anonymously) and never saw the credentials
      expect(basic.requests.length).toBeGreaterThan(0)
      expect(basic.requests.filter(r => r.headers.authorization !== undefined)).toEqual([])
    } finally {
      undo()
    }
  })
})

describe('verify ignores referrers whose subject is another image', () => {
  test('an index entry copied from image B to image A does not satisfy A', async () => {
    const reg = await startTestRegistry({ referrersApi: false })
    registries.push(reg)
    const a = seed(reg, 'app', 'a')
    const b = seed(reg, 'app', 'b')
    const io = (sink: string[]) => ({
      stdout: (s: string) => sink.push(s),
      stderr: (s: string) => sink.push(s),
      env: { HOME: work, DOCKER_CONFIG: join(work, 'empty-docker') },
      cwd: work
    })
    const out: string[] = []
    expect(await cliMain(['attach', `${reg.host}/app:b`, '--verify-timeout=5'], io(out))).toBe(0)
    expect(await cliMain(['verify', `${reg.host}/app:b`], io(out))).toBe(0)
    // put B's referrers index under A's fallback tag: the descriptors claim to be A's referrers
    const index = reg.getManifest('app', `sha256-${b.slice('sha256:'.length)}`)
    expect(index).toBeDefined()
    reg.putManifest('app', index!.bytes, index!.mediaType, `sha256-${a.slice('sha256:'.length)}`)
    const lines: string[] = []
    const code = await cliMain(['verify', `${reg.host}/app:a`, '--json'], io(lines))
    expect(code).toBe(1)
    const report = JSON.parse(lines.find(l => l.trim().startsWith('{'))!) as Record<string, unknown>
    expect(report.verified).toBe(false)
    expect(String(report.missing)).toContain('metadata')
  })
})
