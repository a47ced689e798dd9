/**
 * Corporate networks, as a self-hosted runner meets them: an internal registry (Debian's
 * distribution) serving TLS with a certificate from a private CA, under a name that is not
 * loopback (`registry.test`), reachable through an HTTP CONNECT proxy. Everything runs through the
 * bundled CLI and the bundled action, as subprocesses with nothing inherited but PATH.
 *
 * Only the proxy can resolve `registry.test` (the subprocess is given no hosts entry unless the test
 * is about going direct), and a relay in front of the registry records every connection: so "every
 * connection went through the proxy" is checked twice, by a client that could not have gone around
 * it and by matching each connection the registry received to one of the proxy's tunnels.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseOutputFile } from '../../__fixtures__/action-runner.js'
import { startConnectProxy, type ConnectProxy } from '../../__fixtures__/connect-proxy.js'
import { freePort } from '../../__fixtures__/distribution.js'
import { REGISTRY_NAME, startCorporateNetwork, type CorporateNetwork } from '../../__fixtures__/network.js'
import { cliMain } from '../../src/cli-main.js'
import { pushImage } from '../../__fixtures__/builders.js'
import { target } from '../oci/remote/helpers.js'
import { ACTION_BUNDLE, badLineProblems, CLI_BUNDLE, inputEnv, runBundle, type ProcessRun } from './bad-input-helpers.js'

let net: CorporateNetwork
let work: string
let image: string

beforeAll(async () => {
  net = await startCorporateNetwork()
  work = await mkdtemp(join(tmpdir(), 'obm-networks-'))
  await mkdir(join(work, 'docker'))
  await pushImage(target(net.plain.host, 'app'), 'networks', 'v1')
  // build metadata on it from the start (through the plain-HTTP twin, in this process), so each
  // verify below has something to verify whichever test runs first
  const log: string[] = []
  const io = { stdout: (s: string) => log.push(s), stderr: (s: string) => log.push(s), env: base(), cwd: work }
  expect({ code: await cliMain(['attach', `${net.plain.host}/app:v1`, '--verify-timeout=10'], io), log }).toMatchObject({ code: 0 })
  image = `${net.registry}/app:v1`
}, 60_000)

afterAll(async () => {
  await net?.close()
  if (work) await rm(work, { recursive: true, force: true })
})

beforeEach(() => net.reset())

const base = (): Record<string, string> => ({ HOME: work, DOCKER_CONFIG: join(work, 'docker') })
const trusted = (): Record<string, string> => ({ ...base(), NODE_EXTRA_CA_CERTS: net.certs.ca })
const viaProxy = (): Record<string, string> => ({ HTTPS_PROXY: net.proxy.url, HTTP_PROXY: net.proxy.url })

function cli(args: string[], env: Record<string, string>, opts: { direct?: boolean } = {}): Promise<ProcessRun> {
  const hosts = net.hosts()
  return runBundle(CLI_BUNDLE, args, { ...env, ...(opts.direct ? hosts.env : {}) }, work, opts.direct ? { nodeArgs: hosts.nodeArgs } : {})
}

function action(inputs: Record<string, string>, env: Record<string, string>): Promise<ProcessRun> {
  return runBundle(ACTION_BUNDLE, [], { ...env, ...inputEnv(inputs) }, work)
}

const errorLines = (run: ProcessRun): string[] => run.stderr.split('\n').filter(l => l.startsWith('error: '))

/** Every connection the registry received came through one of the proxy's tunnels, and there were some. */
function expectAllThroughProxy(): void {
  expect(net.proxy.tunnels.length).toBeGreaterThan(0)
  expect(new Set(net.proxy.tunnels.map(t => t.target))).toEqual(new Set([net.registry]))
  expect(net.relay.connections.length).toBe(net.proxy.tunnels.length)
  expect(net.directConnections()).toBe(0)
}

describe('through an HTTPS proxy to a TLS registry with a private CA', () => {
  test('CLI attach then verify: both pass, and every connection went through the proxy', async () => {
    const attach = await cli(['attach', image, '--json', '--provenance'], { ...trusted(), ...viaProxy() })
    expect({ code: attach.code, errors: errorLines(attach) }).toEqual({ code: 0, errors: [] })
    const json = JSON.parse(attach.stdout) as { verified: boolean; via: string; 'exit-code': number }
    expect(json).toMatchObject({ verified: true, via: 'tag-schema', 'exit-code': 0 })
    expectAllThroughProxy()

    net.reset()
    const verify = await cli(['verify', image, '--require', 'metadata,provenance'], { ...trusted(), ...viaProxy() })
    expect({ code: verify.code, errors: errorLines(verify) }).toEqual({ code: 0, errors: [] })
    expectAllThroughProxy()
  })

  test('the bundled action, with the lower-case variable: attach then verify pass, nothing direct', async () => {
    const attach = await action({ image, 'verify-timeout': '10' }, { ...trusted(), https_proxy: net.proxy.url })
    expect({ code: attach.code, errors: attach.stdout.split('\n').filter(l => l.startsWith('::error')) }).toEqual({ code: 0, errors: [] })
    expect(parseOutputFile(attach.outputFile)).toMatchObject({ verified: 'true', 'exit-code': '0' })
    expectAllThroughProxy()

    net.reset()
    const verify = await action({ image, command: 'verify' }, { ...trusted(), https_proxy: net.proxy.url })
    expect(verify.code).toBe(0)
    expect(parseOutputFile(verify.outputFile)).toMatchObject({ verified: 'true', missing: '[]', 'exit-code': '0' })
    expectAllThroughProxy()
  })
})

describe('NO_PROXY: the registry is reached directly, and the proxy sees nothing', () => {
  test.each([[REGISTRY_NAME], ['.test'], ['test'], ['*.test'], [`${REGISTRY_NAME}:PORT`], ['*'], ['internal.corp, registry.test']])(
    'NO_PROXY=%s',
    async entry => {
      const noProxy = entry.replace('PORT', String(net.relay.port))
      const run = await cli(['verify', image], { ...trusted(), ...viaProxy(), NO_PROXY: noProxy }, { direct: true })
      expect({ code: run.code, errors: errorLines(run) }).toEqual({ code: 0, errors: [] })
      expect(net.proxy.tunnels).toEqual([])
      expect(net.relay.connections.length).toBeGreaterThan(0)
    }
  )

  test('a NO_PROXY entry for another port or another domain does not apply: through the proxy', async () => {
    const run = await cli(['verify', image], { ...trusted(), ...viaProxy(), no_proxy: `${REGISTRY_NAME}:1,example.test,registry.test.evil` }, { direct: true })
    expect(run.code).toBe(0)
    expectAllThroughProxy()
  })
})

describe('certificate problems: one line naming the host, the reason and the fix; never retried', () => {
  test('a private CA not given: names NODE_EXTRA_CA_CERTS, exit 3, one attempt (CLI)', async () => {
    const run = await cli(['verify', image], { ...base(), ...viaProxy() })
    expect(run.code).toBe(3)
    const lines = errorLines(run)
    expect(lines).toEqual([
      `error: fetch manifest v1 from ${net.registry}/app: the TLS certificate of ${net.registry} was issued by a certificate authority this machine does ` +
        `not trust (UNABLE_TO_VERIFY_LEAF_SIGNATURE). If the registry's certificate comes from a private CA, set NODE_EXTRA_CA_CERTS to a PEM file holding ` +
        `the CA certificate (in the step's environment: node reads it at start).`
    ])
    expect(badLineProblems(lines[0]!.slice('error: '.length))).toEqual([])
    expect(run.stderr).not.toMatch(/^\s+at /m)
    // not retried: one tunnel, one connection
    expect(net.proxy.tunnels).toHaveLength(1)
    expect(net.relay.connections).toHaveLength(1)
  })

  test('the same through the bundled action: one ::error:: line, exit-code 3, nothing reported missing', async () => {
    const run = await action({ image, command: 'verify', require: 'metadata, sbom' }, { ...base(), ...viaProxy() })
    expect(run.code).toBe(3)
    const errors = run.stdout.split('\n').filter(l => l.startsWith('::error'))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE\)\. If the registry's certificate comes from a private CA, set NODE_EXTRA_CA_CERTS/)
    const outputs = parseOutputFile(run.outputFile)
    expect(outputs).toMatchObject({ verified: 'false', missing: '[]', 'exit-code': '3' })
    expect(outputs.error).toMatch(/NODE_EXTRA_CA_CERTS/)
    expect(net.proxy.tunnels).toHaveLength(1)
  })

  test('a name the certificate does not hold', async () => {
    const run = await cli(['verify', `${net.otherName}/app:v1`], { ...trusted(), ...viaProxy() })
    expect(run.code).toBe(3)
    expect(errorLines(run)).toEqual([
      expect.stringMatching(
        new RegExp(
          `: the TLS certificate of ${net.otherName} was issued for other host names \\(ERR_TLS_CERT_ALTNAME_INVALID, Host: other\\.test\\. is not in the ` +
            `cert's altnames: DNS:registry\\.test, DNS:expired\\.test\\)\\. Use the host name the certificate was issued for, or have it reissued for ` +
            `other\\.test\\.$`
        )
      )
    ])
    expect(net.proxy.tunnels).toHaveLength(1)
  })

  test('a self-signed certificate', async () => {
    const run = await cli(['verify', `${net.selfSigned}/app:v1`], { ...trusted(), ...viaProxy() })
    expect(run.code).toBe(3)
    expect(errorLines(run)).toEqual([
      expect.stringMatching(
        /the TLS certificate of selfsigned\.test:\d+ is self-signed, and this machine does not trust it \(DEPTH_ZERO_SELF_SIGNED_CERT\)\. Set NODE_EXTRA_CA_CERTS to a PEM file holding this certificate/
      )
    ])
  })

  test('an expired certificate', async () => {
    const run = await cli(['verify', `${net.expired}/app:v1`], { ...trusted(), ...viaProxy() })
    expect(run.code).toBe(3)
    expect(errorLines(run)).toEqual([
      expect.stringMatching(
        /the TLS certificate of expired\.test:\d+ has expired \(CERT_HAS_EXPIRED\)\. Renew the registry's certificate, or check this machine's clock\.$/
      )
    ])
  })

  test('a plain-HTTP registry asked over TLS points at insecure-registries; listed there, it works through HTTP_PROXY', async () => {
    const https = await cli(['verify', `${net.plainByName}/app:v1`], { ...trusted(), ...viaProxy() })
    expect(https.code).toBe(3)
    expect(errorLines(https)).toEqual([
      expect.stringMatching(
        new RegExp(
          `${net.plainByName} does not speak TLS on this port \\(ERR_SSL_\\w+\\), it may serve plain HTTP\\. If the registry serves plain HTTP, list ` +
            `${net.plainByName} in insecure-registries\\.$`
        )
      )
    ])
    expect(net.proxy.tunnels).toHaveLength(1)

    net.reset()
    const plain = await cli(['attach', `${net.plainByName}/app:v1`, '--insecure-registries', net.plainByName], { ...base(), HTTP_PROXY: net.proxy.url })
    expect({ code: plain.code, errors: errorLines(plain) }).toEqual({ code: 0, errors: [] })
    expect(net.proxy.tunnels.length).toBeGreaterThan(0)
    expect(new Set(net.proxy.tunnels.map(t => t.target))).toEqual(new Set([net.plainByName]))
  })
})

describe('the proxy itself', () => {
  let guarded: ConnectProxy
  const PROXY_USER = 'ci-runner'
  const PROXY_PASSWORD = 'proxy-Pa55word-7e1f'
  beforeAll(async () => {
    guarded = await startConnectProxy({ hosts: [REGISTRY_NAME], credentials: { username: PROXY_USER, password: PROXY_PASSWORD } })
  })
  afterAll(async () => guarded?.close())
  beforeEach(() => guarded.reset())

  test('credentials in HTTPS_PROXY are sent to the proxy, and the gate passes', async () => {
    const run = await cli(['verify', image], { ...trusted(), HTTPS_PROXY: `http://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:${guarded.port}` })
    expect({ code: run.code, errors: errorLines(run) }).toEqual({ code: 0, errors: [] })
    expect(guarded.tunnels.length).toBeGreaterThan(0)
    expect(guarded.refused).toEqual([])
  })

  test('wrong proxy credentials: exit 3, naming the proxy and the variable, never the password', async () => {
    const run = await cli(['verify', image, '--debug'], { ...trusted(), HTTPS_PROXY: `http://${PROXY_USER}:wrong-${PROXY_PASSWORD}@127.0.0.1:${guarded.port}` })
    expect(run.code).toBe(3)
    expect(errorLines(run)).toEqual([
      `error: fetch manifest v1 from ${net.registry}/app: the proxy http://127.0.0.1:${guarded.port} (from HTTPS_PROXY) refused its credentials (407 Proxy ` +
        `Authentication Required). Check the user and password in HTTPS_PROXY (http://user:password@host:port).`
    ])
    expect(guarded.refused.map(r => r.status)).toEqual([407])
    expect(run.stdout + run.stderr).not.toContain(PROXY_PASSWORD)
  })

  test('a proxy nobody listens on: exit 3, saying so and how to go around it', async () => {
    const port = await freePort()
    const run = await cli(['verify', image], { ...trusted(), HTTPS_PROXY: `http://127.0.0.1:${port}` })
    expect(run.code).toBe(3)
    expect(errorLines(run)).toEqual([
      expect.stringMatching(
        new RegExp(
          `could not connect to the proxy http://127\\.0\\.0\\.1:${port} \\(from HTTPS_PROXY\\) \\(ECONNREFUSED\\), after 5 tries\\. Check HTTPS_PROXY, or ` +
            `list registry\\.test in NO_PROXY to connect directly\\.$`
        )
      )
    ])
  })

  test('a malformed proxy variable is bad input: exit 2 before any connection', async () => {
    const run = await cli(['verify', image], { ...trusted(), HTTPS_PROXY: 'socks5://127.0.0.1:1080' })
    expect(run.code).toBe(2)
    expect(errorLines(run)).toEqual([
      'error: HTTPS_PROXY names a socks5 proxy, which is not supported. Use an http:// or https:// proxy (one that answers CONNECT).'
    ])
    expect(net.relay.connections).toEqual([])
  })
})
