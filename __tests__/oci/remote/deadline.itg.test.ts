/**
 * A throttled registry never stalls a command past its deadline: real distribution behind the fault
 * proxy answering 429 with Retry-After. A wait that would pass the deadline is not taken (the error
 * says how long the registry asked for and which deadline that passes); waits that fit are taken,
 * each announced with how long and why.
 */
import { startDistribution, type Distribution } from '../../../__fixtures__/distribution.js'
import { startFaultProxy, type FaultProxy } from '../../../__fixtures__/fault-proxy.js'
import { describeError, exitCodeFor } from '../../../src/errors.js'
import type { Logger } from '../../../src/log.js'
import { Deadline } from '../../../src/oci/remote/deadline.js'
import { checkAnnotated } from '../../../src/attach/check.js'
import { pushImage } from '../../../__fixtures__/builders.js'
import { target } from './helpers.js'

let dist: Distribution
let proxy: FaultProxy
beforeAll(async () => {
  dist = await startDistribution()
  proxy = await startFaultProxy(dist.url)
  await pushImage(target(dist.host, 'app'), 'deadline', 'v1')
}, 30_000)
afterAll(async () => {
  await proxy?.close()
  await dist?.stop()
})
beforeEach(() => {
  proxy.clearFaults()
  proxy.requests.length = 0
})

function recording(): { logger: Logger; lines: string[] } {
  const lines: string[] = []
  const log = (level: string) => (m: string) => lines.push(`${level}: ${m}`)
  return { lines, logger: { debug: log('debug'), info: log('info'), warning: log('warning'), group: (_n, fn) => fn() } }
}

const throttle = (retryAfter: string, times = 100) => ({
  match: { path: /\/manifests\// },
  times,
  status: 429,
  headers: { 'retry-after': retryAfter, 'content-type': 'application/json' },
  body: '{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}'
})
const manifestRequests = () => proxy.requests.filter(r => r.path.includes('/manifests/')).length

test('Retry-After past the deadline: no wait at all, exit 3, saying how long was asked and which deadline', async () => {
  proxy.addFault(throttle('3600'))
  const { logger, lines } = recording()
  const started = Date.now()
  const err = await target(proxy.host, 'app', { logger, deadline: new Deadline(60_000) })
    .fetchManifest('v1')
    .catch(e => e)
  expect(Date.now() - started).toBeLessThan(5_000)
  expect(manifestRequests()).toBe(1)
  expect(err).toMatchObject({ code: 'TOO_MANY_REQUESTS', status: 429 })
  expect(exitCodeFor(err)).toBe(3)
  expect(describeError(err)).toBe(
    `fetch manifest v1 from ${proxy.host}/app: rate limited (429 TOOMANYREQUESTS "slow down"); gave up after 1 try: the registry asked to wait 1 h ` +
      `(Retry-After) would pass the command deadline (60 s). The registry rate-limits this client: authenticate, or retry later.`
  )
  expect(lines.filter(l => /waiting/.test(l))).toEqual([])
})

test('waits that fit are taken and announced; the one that would not fit ends the command by its deadline', async () => {
  proxy.addFault(throttle('2'))
  const { logger, lines } = recording()
  const started = Date.now()
  const err = await target(proxy.host, 'app', { logger, deadline: new Deadline(3_000), retries: 10 })
    .fetchManifest('v1')
    .catch(e => e)
  const elapsed = Date.now() - started
  // one 2 s wait fits in 3 s, a second does not: two requests, done before the deadline
  expect(manifestRequests()).toBe(2)
  expect(elapsed).toBeLessThan(3_000)
  expect(err).toMatchObject({ code: 'TOO_MANY_REQUESTS' })
  expect(describeError(err)).toMatch(/gave up after 2 tries: the registry asked to wait 2 s \(Retry-After\) would pass the command deadline \(3 s\)\./)
  expect(lines.filter(l => /waiting/.test(l))).toEqual([
    expect.stringMatching(
      new RegExp(
        `^info: fetch manifest v1 from ${proxy.host}/app: the registry answered 429 and asked to wait 2 s \\(Retry-After\\) \\(try 1 of 11\\); waiting 2 s ` +
          `before trying again \\(\\d(\\.\\d)? s left of the command deadline \\(3 s\\)\\)$`
      )
    )
  ])
})

test('a throttle that lifts within the deadline: the command goes on after the announced wait', async () => {
  proxy.addFault(throttle('1', 2))
  const { logger, lines } = recording()
  const got = await target(proxy.host, 'app', { logger, deadline: new Deadline(30_000) }).fetchManifest('v1')
  expect(got.descriptor.digest).toMatch(/^sha256:/)
  expect(manifestRequests()).toBe(3)
  expect(lines.filter(l => /waiting 1 s before trying again/.test(l))).toHaveLength(2)
})

test('a long wait is a warning, so the user sees why the job stands still', async () => {
  proxy.addFault(throttle('3', 1))
  const { logger, lines } = recording()
  await target(proxy.host, 'app', { logger, deadline: new Deadline(30_000) }).fetchManifest('v1')
  expect(lines.filter(l => /waiting/.test(l))).toEqual([
    expect.stringMatching(
      /^warning: .*asked to wait 3 s \(Retry-After\).*waiting 3 s before trying again \(\d+(\.\d)? s left of the command deadline \(30 s\)\)$/
    )
  ])
})

test('reads after writes get verify-timeout, not the command deadline: a wait that fits 120 s but not 2 s is not taken', async () => {
  proxy.addFault(throttle('5'))
  const { logger, lines } = recording()
  const t = target(proxy.host, 'app', { logger, deadline: new Deadline(120_000) })
  const started = Date.now()
  const err = await checkAnnotated(
    t,
    'v1',
    { digest: `sha256:${'0'.repeat(64)}`, documentDigest: `sha256:${'1'.repeat(64)}` },
    { timeoutMs: 2_000, prefix: 'dev.oci-build-metadata', logger }
  ).catch(e => e)
  expect(Date.now() - started).toBeLessThan(2_500)
  // the read-back could not look: that is the registry's failure (exit 3), not a verification that found something wrong
  expect(exitCodeFor(err)).toBe(3)
  expect(describeError(err)).toMatch(/the registry asked to wait 5 s \(Retry-After\) would pass verify-timeout \(2 s\)\./)
  expect(lines.filter(l => /waiting 5 s/.test(l))).toEqual([])
})
