/** Bearer and Basic auth against the in-process registry's token endpoint. */
import { resolveIn } from '../../../__fixtures__/layout.js'
import { describeError, type OciError } from '../../../src/errors.js'
import { startTestRegistry, type TestRegistry } from '../../../__fixtures__/registry/index.js'
import { clearSecrets, redact } from '../../../src/log.js'
import { pushImage } from '../../../__fixtures__/builders.js'
import { target } from './helpers.js'

const USER = { username: 'ci-user', password: 'ci-pass-123' }
const registries: TestRegistry[] = []
async function start(opts: Parameters<typeof startTestRegistry>[0] = {}): Promise<TestRegistry> {
  const r = await startTestRegistry(opts)
  registries.push(r)
  return r
}
afterAll(async () => {
  await Promise.all(registries.map(r => r.close()))
})
afterEach(() => clearSecrets())

describe('Bearer token flow', () => {
  test('push asks for pull,push with Basic to the realm; reads reuse the token', async () => {
    const reg = await start({ auth: { kind: 'bearer', ...USER } })
    const t = target(reg.host, 'team/app', { credentials: USER })
    const subject = await pushImage(t, 'bearer')
    expect((await resolveIn(t, 'latest')).digest).toBe(subject.digest)
    const scopes = reg.tokenRequests.map(r => r.query.scope)
    expect(scopes[0]).toBe('repository:team/app:pull,push')
    expect(reg.tokenRequests.every(r => r.query.service === 'test-registry')).toBe(true)
    expect(reg.tokenRequests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('ci-user:ci-pass-123').toString('base64')}`)
    // one token for the whole push and the read after it
    expect(t.requestCount.byKind.token).toBe(1)
    // every registry request after the first challenge carried the token
    const registryReqs = reg.requests.filter(r => r.origin === 'registry' && r.path !== '/token')
    expect(registryReqs.filter(r => r.status === 401)).toHaveLength(1)
    expect(redact(`password ${USER.password}`)).toBe('password ***')
  })

  test('anonymous pull gets a pull-only token', async () => {
    const reg = await start({ auth: { kind: 'bearer', ...USER, anonymousPull: true } })
    const seeded = target(reg.host, 'public', { credentials: USER })
    const subject = await pushImage(seeded, 'anon')
    reg.resetRequests()
    const anon = target(reg.host, 'public')
    expect((await resolveIn(anon, 'latest')).digest).toBe(subject.digest)
    expect(reg.tokenRequests).toHaveLength(1)
    expect(reg.tokenRequests[0]!.query.scope).toBe('repository:public:pull')
    expect(reg.tokenRequests[0]!.headers.authorization).toBeUndefined()
  })

  test('anonymous push is refused with a clear message', async () => {
    const reg = await start({ auth: { kind: 'bearer', ...USER, anonymousPull: true } })
    const anon = target(reg.host, 'public')
    const err = await pushImage(anon, 'nope').catch(e => e)
    expect(err.code).toBe('UNAUTHORIZED')
    expect(describeError(err)).toMatch(
      new RegExp(
        `to ${reg.host}/public: authentication required \\(401\\), and no credentials were found for ${reg.host}\\. Give username and password, or run ` +
          `docker login`
      )
    )
  })

  test('an expired token is refreshed once on 401', async () => {
    const reg = await start({ auth: { kind: 'bearer', ...USER, tokenTtlSeconds: 1 } })
    const t = target(reg.host, 'ttl', { credentials: USER })
    const subject = await pushImage(t, 'ttl')
    await new Promise(r => setTimeout(r, 1200))
    expect((await resolveIn(t, 'latest')).digest).toBe(subject.digest)
    expect(t.requestCount.byKind.token).toBe(2)
  })

  test('a pull token is upgraded when a write needs push (insufficient_scope)', async () => {
    const reg = await start({ auth: { kind: 'bearer', ...USER } })
    const t = target(reg.host, 'scoped', { credentials: USER })
    await t.manifestExists(`sha256:${'0'.repeat(64)}`)
    await pushImage(t, 'scoped')
    expect(reg.tokenRequests.map(r => r.query.scope)).toEqual(['repository:scoped:pull', 'repository:scoped:pull,push'])
  })

  test('wrong password: the token endpoint answers 401 → UNAUTHORIZED', async () => {
    const reg = await start({ auth: { kind: 'bearer', ...USER } })
    const t = target(reg.host, 'x', { credentials: { username: 'ci-user', password: 'wrong-one' } })
    const err = await resolveIn(t, 'latest').catch((e: unknown) => e as OciError)
    expect(err).toMatchObject({ code: 'UNAUTHORIZED', op: 'authenticate' })
  })
})

describe('Basic', () => {
  test('answers the Basic challenge with the credentials', async () => {
    const reg = await start({ auth: { kind: 'basic', ...USER } })
    const t = target(reg.host, 'basic', { credentials: USER })
    const d = await pushImage(t, 'basic')
    expect(await t.manifestExists(d.digest)).toBe(true)
    expect(reg.tokenRequests).toHaveLength(0)
  })

  test.each([
    ['http://registry.invalid:5000/v2/', true],
    ['http://10.0.0.5/token', true],
    ['http://127.0.0.1:5000/v2/', false],
    ['http://localhost:5000/v2/', false],
    ['http://[::1]:5000/v2/', false],
    ['https://registry.example/v2/', false]
  ])('Basic credentials to %s refused: %s', async (url, refused) => {
    const { assertSafeForBasic } = await import('../../../src/oci/remote/auth.js')
    const check = (): void => assertSafeForBasic(url, 'test')
    if (refused) expect(check).toThrow(/refusing to send credentials over plain HTTP/)
    else expect(check).not.toThrow()
  })
})
