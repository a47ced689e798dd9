/** Which proxy a URL goes through: HTTPS_PROXY / HTTP_PROXY / NO_PROXY as curl, Go and @actions/http-client read them. */
import { describeError, exitCodeFor } from '../../../src/errors.js'
import { clearSecrets, redact } from '../../../src/log.js'
import { bypassesProxy, proxyFor, proxySettings } from '../../../src/oci/remote/proxy.js'
import { schemeFor } from '../../../src/oci/remote/http-rules.js'

afterAll(() => clearSecrets())

const via = (url: string, env: NodeJS.ProcessEnv): string | undefined => proxyFor(new URL(url), proxySettings(env))?.display

describe('which variable', () => {
  test('https:// uses HTTPS_PROXY, http:// uses HTTP_PROXY, neither stands in for the other', () => {
    const env = { HTTPS_PROXY: 'http://secure.proxy:3128', HTTP_PROXY: 'http://plain.proxy:8080' }
    expect(via('https://ghcr.io/v2/', env)).toBe('http://secure.proxy:3128')
    expect(via('http://registry.corp:5000/v2/', env)).toBe('http://plain.proxy:8080')
    expect(via('https://ghcr.io/v2/', { HTTP_PROXY: 'http://plain.proxy:8080' })).toBeUndefined()
    expect(via('http://registry.corp:5000/v2/', { HTTPS_PROXY: 'http://secure.proxy:3128' })).toBeUndefined()
  })

  test('either case; lower case wins when both are set; empty means unset', () => {
    expect(via('https://ghcr.io/', { https_proxy: 'http://lower:1' })).toBe('http://lower:1')
    expect(via('https://ghcr.io/', { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' })).toBe('http://lower:1')
    expect(via('https://ghcr.io/', { https_proxy: '  ', HTTPS_PROXY: 'http://upper:2' })).toBe('http://upper:2')
    expect(proxySettings({ https_proxy: 'http://lower:1' }).https?.variable).toBe('https_proxy')
  })

  test('a proxy without a scheme is http://; an https:// proxy is kept', () => {
    expect(via('https://ghcr.io/', { HTTPS_PROXY: 'proxy.corp:3128' })).toBe('http://proxy.corp:3128')
    expect(via('https://ghcr.io/', { HTTPS_PROXY: 'https://proxy.corp:443' })).toBe('https://proxy.corp')
  })

  test('a socks proxy or a value that is no URL is bad input (exit 2), naming the variable but not the value', () => {
    for (const value of ['socks5://ci:pw-in-url-123@socks.corp:1080', 'http://[bad']) {
      let err: unknown
      try {
        proxySettings({ HTTPS_PROXY: value })
      } catch (e) {
        err = e
      }
      expect(exitCodeFor(err)).toBe(2)
      expect(describeError(err)).toMatch(
        /^HTTPS_PROXY (names a socks5 proxy, which is not supported\. Use an http:\/\/ or https:\/\/ proxy|is not a URL\. Give the proxy as http:\/\/host:port)/
      )
      expect(describeError(err)).not.toContain('pw-in-url-123')
    }
  })

  test('credentials in the proxy URL are masked wherever they would be printed, and never in display', () => {
    const s = proxySettings({ HTTPS_PROXY: 'http://ci-bot:p%40ss-w0rd-proxy@proxy.corp:3128' })
    expect(s.https?.display).toBe('http://proxy.corp:3128')
    expect(redact('p%40ss-w0rd-proxy p@ss-w0rd-proxy')).toBe('*** ***')
    expect(redact(Buffer.from('ci-bot:p@ss-w0rd-proxy').toString('base64'))).toBe('***')
  })
})

describe('NO_PROXY', () => {
  const P = { HTTPS_PROXY: 'http://proxy.corp:3128', HTTP_PROXY: 'http://proxy.corp:3128' }
  const bypass = (url: string, noProxy: string, key = 'NO_PROXY'): boolean => bypassesProxy(new URL(url), proxySettings({ ...P, [key]: noProxy }))

  test.each([
    // host names: the name and every name under it, however the entry is written
    ['https://example.com/', 'example.com', true],
    ['https://registry.example.com/', 'example.com', true],
    ['https://registry.example.com/', '.example.com', true],
    ['https://registry.example.com/', '*.example.com', true],
    ['https://example.com/', '.example.com', true],
    ['https://notexample.com/', 'example.com', false],
    ['https://example.com.evil/', 'example.com', false],
    ['https://REGISTRY.Example.COM/', 'example.com', true],
    ['https://registry.example.com/', 'Example.Com', true],
    // lists: comma or space separated, blanks ignored
    ['https://ghcr.io/', 'internal.corp, ghcr.io ,', true],
    ['https://ghcr.io/', 'internal.corp docker.io', false],
    // ports: only that port; the scheme's default port counts
    ['https://registry.corp:5000/', 'registry.corp:5000', true],
    ['https://registry.corp:5001/', 'registry.corp:5000', false],
    ['https://registry.corp/', 'registry.corp:443', true],
    ['http://registry.corp/', 'registry.corp:443', false],
    // IP literals and CIDR blocks; names are never resolved
    ['https://10.1.2.3:5000/', '10.1.2.3', true],
    ['https://10.1.2.30:5000/', '10.1.2.3', false],
    ['https://10.1.2.3:5000/', '10.0.0.0/8', true],
    ['https://192.168.1.1/', '10.0.0.0/8', false],
    ['https://[fd00::1]:5000/', 'fd00::/8', true],
    ['https://[fd00::1]:5000/', '[fd00::1]:5000', true],
    ['https://[fd00::1]:5000/', 'fd00::1', true],
    ['https://registry.corp/', '10.0.0.0/8', false],
    // `*` alone: everything
    ['https://ghcr.io/', '*', true],
    ['https://ghcr.io/', 'internal.corp,*', true]
  ])('%s with NO_PROXY=%j bypasses: %s', (url, noProxy, expected) => {
    expect(bypass(url, noProxy)).toBe(expected)
  })

  test('either case, lower case first', () => {
    expect(bypass('https://ghcr.io/', 'ghcr.io', 'no_proxy')).toBe(true)
    expect(bypassesProxy(new URL('https://ghcr.io/'), proxySettings({ ...P, no_proxy: 'docker.io', NO_PROXY: 'ghcr.io' }))).toBe(false)
  })

  test('loopback never goes through a proxy, with or without NO_PROXY', () => {
    for (const url of ['http://localhost:5000/', 'http://127.0.0.1:5000/', 'http://127.1.2.3/', 'http://[::1]:5000/', 'http://[0:0:0:0:0:0:0:1]:5000/']) {
      expect([url, via(url, P)]).toEqual([url, undefined])
    }
    expect(via('https://registry.test:5000/', P)).toBe('http://proxy.corp:3128')
  })

  // One definition of loopback (containerd's MatchLocalhost, Go's proxy rules): a name under
  // .localhost is no loopback address until something resolves it, so it is reached as any other
  // host: over HTTPS, through the proxy. It used to bypass the proxy and still be reached over
  // HTTPS, two answers to one question.
  test('a name under .localhost is not loopback: through the proxy, over HTTPS, unless listed', () => {
    expect(via('https://registry.localhost:5000/', P)).toBe('http://proxy.corp:3128')
    expect(schemeFor('registry.localhost:5000')).toBe('https')
    expect(via('https://registry.localhost:5000/', { ...P, NO_PROXY: 'registry.localhost' })).toBeUndefined()
    expect(schemeFor('registry.localhost:5000', ['registry.localhost:5000'])).toBe('http')
  })

  test('plain HTTP without asking and the proxy bypass agree on every host', () => {
    const hosts = [
      'localhost:5000',
      '127.0.0.1:5000',
      '127.9.9.9',
      '[::1]:5000',
      '[::ffff:127.0.0.1]:80',
      'registry.localhost:5000',
      'localhost.example.com',
      '128.0.0.1',
      '[::2]',
      'ghcr.io'
    ]
    const plain = hosts.filter(h => schemeFor(h) === 'http')
    const direct = hosts.filter(h => via(`https://${h}/`, P) === undefined)
    expect(plain).toEqual(['localhost:5000', '127.0.0.1:5000', '127.9.9.9', '[::1]:5000', '[::ffff:127.0.0.1]:80'])
    expect(direct).toEqual(plain)
  })
})
