import { describeError, exitCodeFor } from '../../../src/errors.js'
import { codeForStatus, httpError, parseRegistryErrors } from '../../../src/oci/remote/registry-errors.js'
import { networkFailure } from '../../../src/oci/remote/network-failures.js'
import { proxySettings } from '../../../src/oci/remote/proxy.js'
import { bytesOf } from '../../../__fixtures__/builders.js'

const ctx = { op: 'push manifest', where: 'localhost:5000/app', registry: 'localhost:5000', preposition: 'to' as const }

describe('registry error bodies', () => {
  test('keeps code, message and detail of each entry', () => {
    const body = bytesOf({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'x' } }, { code: 'DENIED' }] })
    expect(parseRegistryErrors(body)).toEqual([{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'x' } }, { code: 'DENIED' }])
  })
  test.each([['<html>502</html>'], ['{}'], ['{"errors":"nope"}'], ['{"errors":[{"message":"no code"}]}'], ['']])('not an error body: %j', body => {
    expect(parseRegistryErrors(bytesOf(body))).toEqual([])
  })
})

describe('status → code', () => {
  test.each([
    [401, [], 'UNAUTHORIZED'],
    [403, [], 'DENIED'],
    [404, [], 'NOT_FOUND'],
    [409, [], 'CONFLICT'],
    [413, [], 'SIZE_EXCEEDED'],
    [429, [], 'TOO_MANY_REQUESTS'],
    [408, [], 'TIMEOUT'],
    [500, [], 'SERVER_ERROR'],
    [503, [], 'SERVER_ERROR'],
    [400, ['SIZE_INVALID'], 'SIZE_EXCEEDED'],
    [400, ['DIGEST_INVALID'], 'DIGEST_MISMATCH'],
    [400, ['MANIFEST_BLOB_UNKNOWN'], 'NOT_FOUND'],
    [400, ['MANIFEST_INVALID'], 'UNSUPPORTED'],
    [405, ['UNSUPPORTED'], 'UNSUPPORTED']
  ])('%i %j → %s', (status, codes, code) => {
    expect(
      codeForStatus(
        status,
        codes.map(c => ({ code: c }))
      )
    ).toBe(code)
  })
})

describe('messages: what failed, then the cause, then what to do', () => {
  test('no credentials were found', () => {
    const e = httpError(ctx, 401, undefined, { auth: { found: false } })
    expect(describeError(e)).toBe(
      'push manifest to localhost:5000/app: authentication required (401), and no credentials were found for localhost:5000. Give username and password, or run docker login localhost:5000.'
    )
    expect(e).toMatchObject({ code: 'UNAUTHORIZED', status: 401, op: 'push manifest', where: 'localhost:5000/app' })
  })
  test('the registry refused the credentials given, naming where they came from', () => {
    const e = httpError(ctx, 401, undefined, { auth: { found: true, source: 'GITHUB_TOKEN' } })
    expect(describeError(e)).toBe(
      'push manifest to localhost:5000/app: the registry refused the credentials given for localhost:5000 (from GITHUB_TOKEN) (401). Check that they are current and meant for localhost:5000, or give others with username and password.'
    )
    const denied = httpError(ctx, 403, undefined, { auth: { found: true, source: 'GITHUB_TOKEN' } })
    expect(describeError(denied)).toMatch(
      /denied access \(403\) to the credentials given for localhost:5000 \(from GITHUB_TOKEN\)\. Give the workflow packages: read/
    )
  })
  test("carry the registry's first error code and its words when they add something", () => {
    const e = httpError(ctx, 404, bytesOf('{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}'))
    expect(e.message).toBe('push manifest to localhost:5000/app: not found (404 NAME_UNKNOWN "repository name not known to registry")')
    expect(e.hasRegistryCode('NAME_UNKNOWN')).toBe(true)
    expect(httpError(ctx, 404, bytesOf('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}')).message).toBe(
      'push manifest to localhost:5000/app: not found (404 MANIFEST_UNKNOWN)'
    )
  })
  test('every status ends with what to do: not found, refused, conflict, digest rejected', () => {
    const get = { ...ctx, op: 'fetch manifest v1', preposition: 'from' as const }
    expect(describeError(httpError(get, 404, bytesOf('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}')))).toBe(
      'fetch manifest v1 from localhost:5000/app: not found (404 MANIFEST_UNKNOWN). Check the tag or digest in image, and that the image was pushed to localhost:5000/app.'
    )
    expect(describeError(httpError({ ...ctx, op: 'fetch blob sha256:x', preposition: 'from' }, 404))).toMatch(/not found \(404\)\. The registry lost a blob/)
    expect(describeError(httpError(ctx, 405))).toBe(
      'push manifest to localhost:5000/app: request refused (405). Check that the repository exists and accepts pushes from these credentials (some ' +
        'registries need it created first; mirrors are read-only).'
    )
    expect(describeError(httpError(get, 405))).toMatch(/request refused \(405\)\. Check that the image names a registry that serves the OCI distribution API/)
    expect(describeError(httpError(ctx, 409))).toMatch(/conflict \(409\)\. Another writer changed it at the same moment; run again\.$/)
    expect(describeError(httpError(ctx, 400, bytesOf('{"errors":[{"code":"DIGEST_INVALID"}]}')))).toMatch(
      /digest rejected \(400 DIGEST_INVALID\)\. The registry computed/
    )
  })
  test('a hint is one sentence after the cause, never glued on with a space', () => {
    const e = httpError(ctx, 429)
    expect(describeError(e)).toBe(
      'push manifest to localhost:5000/app: rate limited (429). The registry rate-limits this client: authenticate, or retry later.'
    )
  })
})

describe('requests that got no answer', () => {
  const url = new URL('https://registry.corp.example:5443/v2/app/manifests/v1')
  const tlsError = (code: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(code), { code, ...extra })

  test('refused connection: retried, names the host', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })
    const f = networkFailure(ctx, url, cause, false, 1000)
    expect(f.retriable).toBe(true)
    expect(describeError(f.error)).toBe(
      'push manifest to localhost:5000/app: network error (ECONNREFUSED). Check that registry.corp.example:5443 is reachable from this machine.'
    )
  })
  test('idle timeout', () => {
    expect(networkFailure(ctx, url, new Error('aborted'), true, 1000).error).toMatchObject({
      code: 'TIMEOUT',
      message: expect.stringContaining('no answer from registry.corp.example:5443 within 1 s')
    })
  })
  test.each([
    [
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      /was issued by a certificate authority this machine does not trust \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)\. If the registry's certificate comes from a private CA, set NODE_EXTRA_CA_CERTS/
    ],
    ['SELF_SIGNED_CERT_IN_CHAIN', /self-signed root .*NODE_EXTRA_CA_CERTS/],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', /is self-signed, and this machine does not trust it .*NODE_EXTRA_CA_CERTS to a PEM file holding this certificate/],
    ['CERT_HAS_EXPIRED', /has expired \(CERT_HAS_EXPIRED\)\. Renew the registry's certificate, or check this machine's clock/],
    [
      'ERR_TLS_CERT_ALTNAME_INVALID',
      /was issued for other host names \(ERR_TLS_CERT_ALTNAME_INVALID, Host: registry\.corp\.example\. is not in the cert's altnames: DNS:other\.example\)\. Use the host name the certificate was issued for/
    ]
  ])('certificate %s: one line naming the host, the reason in words and the fix; not retried', (code, pattern) => {
    const f = networkFailure(ctx, url, tlsError(code, { reason: "Host: registry.corp.example. is not in the cert's altnames: DNS:other.example" }), false, 1000)
    expect(f.retriable).toBe(false)
    expect(f.error.code).toBe('TLS')
    expect(describeError(f.error)).toContain('the TLS certificate of registry.corp.example:5443 ')
    expect(describeError(f.error)).toMatch(pattern)
    expect(exitCodeFor(f.error)).toBe(3)
  })
  test('a plain-HTTP server asked over TLS points at insecure-registries', () => {
    const f = networkFailure(ctx, url, tlsError('ERR_SSL_WRONG_VERSION_NUMBER'), false, 1000)
    expect(f.retriable).toBe(false)
    expect(describeError(f.error)).toMatch(/does not speak TLS on this port .*list registry\.corp\.example:5443 in insecure-registries\.$/)
  })
  test('proxy refusing its credentials (407): names the proxy without its credentials, not retried', () => {
    const proxy = proxySettings({ HTTPS_PROXY: 'http://ci:s3cret-proxy-pw@proxy.corp:3128' }).https!
    const f = networkFailure(
      ctx,
      url,
      Object.assign(new Error('Proxy response (407) !== 200 when HTTP Tunneling'), { code: 'UND_ERR_ABORTED' }),
      false,
      1000,
      proxy
    )
    expect(f.retriable).toBe(false)
    expect(f.error.code).toBe('PROXY')
    expect(describeError(f.error)).toBe(
      'push manifest to localhost:5000/app: the proxy http://proxy.corp:3128 (from HTTPS_PROXY) refused its credentials (407 Proxy Authentication Required). Check the user and password in HTTPS_PROXY (http://user:password@host:port).'
    )
    expect(describeError(f.error)).not.toContain('s3cret')
  })
  test('proxy unreachable, or refusing the tunnel', () => {
    const proxy = proxySettings({ https_proxy: 'proxy.corp:3128' }).https!
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:3128'), { code: 'ECONNREFUSED', address: '10.0.0.1', port: 3128 })
    const f = networkFailure(ctx, url, refused, false, 1000, proxy)
    expect({ code: f.error.code, retriable: f.retriable }).toEqual({ code: 'PROXY', retriable: true })
    expect(describeError(f.error)).toMatch(
      /could not connect to the proxy http:\/\/proxy\.corp:3128 \(from https_proxy\) \(ECONNREFUSED\)\. Check https_proxy, or list registry\.corp\.example in NO_PROXY/
    )
    const tunnel = networkFailure(ctx, url, new Error('Proxy response (502) !== 200 when HTTP Tunneling'), false, 1000, proxy)
    expect({ code: tunnel.error.code, retriable: tunnel.retriable }).toEqual({ code: 'PROXY', retriable: true })
    expect(tunnel.error.message).toMatch(/would not open a tunnel to registry\.corp\.example:5443 \(502\)/)
  })
})
