/**
 * The exit-code table of the contract, through the bundled CLI and the bundled action:
 * 0 ok, 1 the gate or verification found something missing or wrong, 2 bad usage or input,
 * 3 the registry could not be read or written (network, TLS, refused credentials, throttled,
 * unavailable). A run that could not look reports nothing missing (`missing` stays `[]`), and says
 * so in one error line and in the `exit-code` output. TLS and proxy failures (also 3) are in
 * networks.itg.test.ts.
 *
 * Also here: a GHCR-like registry, whose referrers endpoint answers 303 to its web UI on another
 * origin where an HTML page answers 429, passes the gate through the tag schema; and a throttled
 * referrers endpoint delays the gate by what it asked (announced), or ends it with exit 3 when it
 * asks for more than the deadline.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseOutputFile } from '../../__fixtures__/action-runner.js'
import { freePort, startDistribution, type Distribution } from '../../__fixtures__/distribution.js'
import { startFaultProxy, type FaultProxy } from '../../__fixtures__/fault-proxy.js'
import { pushImage } from '../../__fixtures__/builders.js'
import { target } from '../oci/remote/helpers.js'
import { ACTION_BUNDLE, badLineProblems, CLI_BUNDLE, inputEnv, runBundle } from './bad-input-helpers.js'

const USER = 'ci-bot'
const PASSWORD = 'exit-Pa55word-3c9d'

let dist: Distribution
let locked: Distribution
let faults: FaultProxy
let work: string
let closed: number
/** a web server on loopback that answers every path with its own 404 page, as nginx does */
let web: { host: string; close: () => Promise<void> }

beforeAll(async () => {
  ;[dist, locked] = await Promise.all([startDistribution(), startDistribution({ htpasswd: { username: USER, password: PASSWORD } })])
  faults = await startFaultProxy(dist.url)
  await pushImage(target(dist.host, 'app'), 'exit-codes', 'v1')
  await pushImage(target(dist.host, 'ghcr'), 'exit-codes-ghcr', 'v1')
  await pushImage(target(locked.host, 'app', { credentials: { username: USER, password: PASSWORD } }), 'exit-codes-locked', 'v1')
  work = await mkdtemp(join(tmpdir(), 'obm-exit-codes-'))
  await mkdir(join(work, 'docker'))
  closed = await freePort()
  web = await startWebServer()
  // metadata attached once, so that verify has something to pass on
  const attach = await runBundle(CLI_BUNDLE, ['attach', `${dist.host}/app:v1`], env(), work)
  if (attach.code !== 0) throw new Error(`arranging: attach failed: ${attach.stderr}`)
}, 60_000)

afterAll(async () => {
  await web?.close()
  await faults?.close()
  await Promise.all([dist?.stop(), locked?.stop()])
  if (work) await rm(work, { recursive: true, force: true })
})

beforeEach(() => {
  faults.clearFaults()
  faults.requests.length = 0
  faults.webRequests.length = 0
})

async function startWebServer(): Promise<{ host: string; close: () => Promise<void> }> {
  const { createServer } = await import('node:http')
  const server = createServer((req, res) => {
    req.resume()
    res.writeHead(404, { 'content-type': 'text/html' })
    res.end('<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center><hr><center>nginx</center></body></html>\n')
  })
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as { port: number }).port
  return { host: `127.0.0.1:${port}`, close: () => new Promise(r => server.close(() => r())) }
}

function env(more: Record<string, string> = {}): Record<string, string> {
  return { HOME: work, DOCKER_CONFIG: join(work, 'docker'), ...more }
}

interface Row {
  name: string
  code: 0 | 1 | 2 | 3
  /** action inputs; the CLI gets the same as flags */
  inputs: () => Record<string, string>
  /** faults to arm before each run */
  arm?: () => void
  /** the one error line (codes 2 and 3, and 1 without a verdict) */
  error?: () => RegExp
  /** `missing` when the gate ran */
  missing?: string[]
}

const throttleAll = () =>
  faults.addFault({
    times: 1000,
    status: 429,
    headers: { 'retry-after': '3600', 'content-type': 'application/json' },
    body: '{"errors":[{"code":"TOOMANYREQUESTS","message":"rate limit exceeded"}]}'
  })

const ROWS: Row[] = [
  { name: 'attach to a registry', code: 0, inputs: () => ({ image: `${dist.host}/app:v1`, 'verify-timeout': '10' }) },
  { name: 'the gate passes', code: 0, inputs: () => ({ image: `${dist.host}/app:v1`, command: 'verify' }), missing: [] },
  {
    name: 'the gate finds the SBOM missing',
    code: 1,
    inputs: () => ({ image: `${dist.host}/app:v1`, command: 'verify', require: 'metadata, sbom' }),
    missing: ['sbom']
  },
  {
    name: 'the image is not there',
    code: 1,
    inputs: () => ({ image: `${dist.host}/app:no-such-tag`, command: 'verify' }),
    // ends with what to do (issue 16)
    error: () => /not found \(404 MANIFEST_UNKNOWN\)\. Check the tag or digest in image, and that the image was pushed to 127\.0\.0\.1:\d+\/app\.$/
  },
  {
    name: 'bad input',
    code: 2,
    inputs: () => ({ image: `${dist.host}/app:v1`, command: 'verify', require: 'signatures' }),
    error: () => /require: "signatures" is not one of metadata, sbom, provenance, signature, private, a predicate type URI/
  },
  {
    name: 'the registry is unreachable',
    code: 3,
    inputs: () => ({ image: `127.0.0.1:${closed}/app:v1`, command: 'verify' }),
    error: () => new RegExp(`network error \\(ECONNREFUSED\\), after 5 tries\\. Check that 127\\.0\\.0\\.1:${closed} is reachable from this machine\\.$`)
  },
  {
    name: 'a web server, not a registry',
    code: 3,
    inputs: () => ({ image: `${web.host}/app:v1`, command: 'verify' }),
    error: () =>
      new RegExp(
        `fetch manifest v1 from ${web.host}/app: http://${web.host} is not a registry \\(GET /v2/ answered 404, without the registry API header\\)\\. ` +
          'Check the registry host and port in image'
      )
  },
  {
    name: 'no credentials for a registry that needs them',
    code: 3,
    inputs: () => ({ image: `${locked.host}/app:v1`, command: 'verify' }),
    error: () =>
      new RegExp(
        `authentication required \\(401\\), and no credentials were found for ${locked.host}\\. Give username and password, or run docker login ` +
          `${locked.host}\\.$`
      )
  },
  {
    name: 'the registry refuses the credentials given',
    code: 3,
    inputs: () => ({ image: `${locked.host}/app:v1`, command: 'verify', username: USER, password: `not-${PASSWORD}` }),
    error: () =>
      new RegExp(`the registry refused the credentials given for ${locked.host} \\(from inputs username/password\\) \\(401\\)\\. Check that they are current`)
  },
  {
    name: 'the registry throttles past the deadline',
    code: 3,
    inputs: () => ({ image: `${faults.host}/app:v1`, command: 'verify' }),
    arm: throttleAll,
    error: () =>
      /rate limited \(429 TOOMANYREQUESTS "rate limit exceeded"\); gave up after 1 try: the registry asked to wait 1 h \(Retry-After\) would pass the command deadline \(120 s\)\. The registry rate-limits this client: authenticate, or retry later\.$/
  },
  {
    name: 'the registry fails (503)',
    code: 3,
    inputs: () => ({ image: `${faults.host}/app:v1`, command: 'verify' }),
    arm: () => faults.addFault({ times: 1000, status: 503 }),
    error: () => /registry error \(503\), after 5 tries\. The registry failed; retry later\.$/
  }
]

const flags = (inputs: Record<string, string>): string[] => {
  const { command = 'attach', image = '', password, ...rest } = inputs
  return [command, image, ...Object.entries(rest).map(([k, v]) => `--${k}=${v}`), ...(password ? ['--password-stdin'] : [])]
}

function checkErrorLine(line: string | undefined, row: Row): void {
  expect(line).toMatch(row.error!())
  expect(badLineProblems(line!)).toEqual([])
}

describe.each(ROWS.map(r => [r.code, r.name, r] as const))('exit %i: %s', (code, _name, row) => {
  test('CLI (--json)', async () => {
    row.arm?.()
    const inputs = row.inputs()
    const run = await runBundle(CLI_BUNDLE, [...flags(inputs), '--json'], env(), work, inputs.password ? { stdin: `${inputs.password}\n` } : {})
    expect(run.code).toBe(code)
    const json = JSON.parse(run.stdout) as { verified: boolean; missing: string[]; 'exit-code': number; error?: string }
    expect(json['exit-code']).toBe(code)
    expect(json.verified).toBe(code === 0)
    const errors = run.stderr.split('\n').filter(l => l.startsWith('error: '))
    if (row.error) {
      // no verdict: one line, and nothing reported missing because nothing could be looked at
      expect(errors).toHaveLength(1)
      checkErrorLine(errors[0]!.slice('error: '.length), row)
      expect(json.error).toBe(errors[0]!.slice('error: '.length))
      expect(json.missing).toEqual([])
    } else {
      expect(json.missing).toEqual(row.missing ?? [])
      expect(json.error).toBeUndefined()
    }
    expect(run.stderr).not.toMatch(/^\s+at /m)
    if (inputs.password) expect(run.stdout + run.stderr).not.toContain(inputs.password)
  })

  test('bundled action', async () => {
    row.arm?.()
    const run = await runBundle(ACTION_BUNDLE, [], env(inputEnv(row.inputs())), work)
    expect(run.code).toBe(code)
    const outputs = parseOutputFile(run.outputFile)
    expect(outputs['exit-code']).toBe(String(code))
    expect(outputs.verified).toBe(String(code === 0))
    // every ending writes the job summary, exit 2 and 3 included (issue 16)
    expect(run.summaryFile).toMatch(code === 0 ? /✅ verified/ : /❌/)
    if (row.error) expect(run.summaryFile).toContain(`| Result | ❌ exit ${code}: `)
    const errors = run.stdout.split('\n').filter(l => l.startsWith('::error'))
    if (row.error) {
      expect(errors).toHaveLength(1)
      checkErrorLine(outputs.error, row)
      expect(outputs.missing).toBe('[]')
    } else {
      expect(JSON.parse(outputs.missing ?? '[]')).toEqual(row.missing ?? [])
      expect(outputs.error).toBeUndefined()
    }
    expect(run.stderr).toBe('')
  })
})

describe('the referrers endpoint of a GHCR-like registry', () => {
  const toWebUi = () =>
    faults.addFault({
      match: { method: 'GET', path: /\/referrers\// },
      times: 1000,
      status: 303,
      headers: { location: `${faults.webUrl}/orgs/acme/packages/container/package/ghcr` }
    })

  test('303 to an HTML page on another origin that answers 429: no API, the gate passes through the tag schema', async () => {
    toWebUi()
    const attach = await runBundle(CLI_BUNDLE, ['attach', `${faults.host}/ghcr:v1`, '--json'], env(), work)
    expect({ code: attach.code, stderr: attach.stderr }).toEqual({ code: 0, stderr: '' })
    expect(JSON.parse(attach.stdout)).toMatchObject({ verified: true, via: 'tag-schema' })

    const verify = await runBundle(ACTION_BUNDLE, [], env(inputEnv({ image: `${faults.host}/ghcr:v1`, command: 'verify' })), work)
    expect(verify.code).toBe(0)
    expect(parseOutputFile(verify.outputFile)).toMatchObject({ verified: 'true', missing: '[]', 'exit-code': '0' })
    // the redirect was seen (and not followed: the throttled web page was never asked)
    expect(faults.requests.filter(r => r.path.includes('/referrers/') && r.status === 303).length).toBeGreaterThan(0)
    expect(faults.webRequests).toEqual([])
  })

  test('an HTML page from the registry itself is no API either', async () => {
    faults.addFault({
      match: { method: 'GET', path: /\/referrers\// },
      times: 1000,
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: '<!DOCTYPE html><html><body>Sign in</body></html>'
    })
    const verify = await runBundle(CLI_BUNDLE, ['verify', `${faults.host}/app:v1`, '--json'], env(), work)
    expect(verify.code).toBe(0)
    expect(JSON.parse(verify.stdout)).toMatchObject({ verified: true, via: 'tag-schema' })
  })

  test('throttled for a moment: the gate waits what the registry asked (saying so) and passes', async () => {
    faults.addFault({
      match: { method: 'GET', path: /\/referrers\// },
      times: 2,
      status: 429,
      headers: { 'retry-after': '1', 'content-type': 'application/json' },
      body: '{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}'
    })
    const run = await runBundle(ACTION_BUNDLE, [], env(inputEnv({ image: `${faults.host}/app:v1`, command: 'verify' })), work)
    expect(run.code).toBe(0)
    expect(parseOutputFile(run.outputFile)).toMatchObject({ verified: 'true', 'exit-code': '0' })
    const waits = run.stdout.split('\n').filter(l => /waiting 1 s before trying again/.test(l))
    expect(waits).toHaveLength(2)
    expect(waits[0]).toMatch(
      /list referrers of sha256:[0-9a-f]{64} in 127\.0\.0\.1:\d+\/app: the registry answered 429 and asked to wait 1 s \(Retry-After\) \(try 1 of 5\); waiting 1 s before trying again \(\d+(\.\d)? s left of the command deadline \(120 s\)\)/
    )
  })

  test('throttled past the deadline: exit 3 and nothing missing, never "no metadata"', async () => {
    faults.addFault({
      match: { method: 'GET', path: /\/referrers\// },
      times: 1000,
      status: 429,
      headers: { 'retry-after': '600', 'content-type': 'application/json' },
      body: '{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}'
    })
    const run = await runBundle(CLI_BUNDLE, ['verify', `${faults.host}/app:v1`, '--json', '--require', 'metadata,sbom'], env(), work)
    expect(run.code).toBe(3)
    expect(JSON.parse(run.stdout)).toMatchObject({ verified: false, missing: [], 'exit-code': 3 })
    expect(run.stderr.split('\n').filter(l => l.startsWith('error: '))).toEqual([
      expect.stringMatching(
        /: rate limited \(429 TOOMANYREQUESTS "slow down"\); gave up after 1 try: the registry asked to wait 10 min \(Retry-After\) would pass the command deadline \(120 s\)\./
      )
    ])
  })
})
