/**
 * Behaviours neither registry shows, against a tiny scripted HTTP server on loopback: identity-token
 * (OAuth2 refresh_token) grants, cross-origin `Link` refusal, the page cap, redirect downgrades.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { MediaType } from '../../../src/oci/media-types.js'
import { MAX_REFERRERS_PAGES } from '../../../src/oci/remote/remote-target.js'
import { schemeFor } from '../../../src/oci/remote/http-rules.js'
import { withDigest } from '../../../src/oci/remote/blobs.js'
import { target } from './helpers.js'

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void
let handler: Handler
let server: Server
let host: string
const seen: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }> = []

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = ''
    req.on('data', d => (body += d))
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body })
      handler(req, res, body)
    })
  })
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r))
  host = `127.0.0.1:${(server.address() as { port: number }).port}`
})
afterAll(async () => {
  await new Promise(r => server.close(r))
})
beforeEach(() => {
  seen.length = 0
})

const SUBJECT = { mediaType: MediaType.ImageManifest, digest: `sha256:${'a'.repeat(64)}`, size: 10 }
const index = (digests: string[]): string =>
  JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaType.ImageIndex,
    manifests: digests.map(d => ({ mediaType: MediaType.ImageManifest, digest: d, size: 1, artifactType: 'x/y' }))
  })

test('identity token: OAuth2 refresh_token grant POSTed to the realm, access_token accepted', async () => {
  handler = (req, res, body) => {
    if (req.url === '/oauth2/token') {
      const form = new URLSearchParams(body)
      const ok = req.method === 'POST' && form.get('grant_type') === 'refresh_token' && form.get('refresh_token') === 'idtok-1234'
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(ok ? '{"access_token":"acc-5678","expires_in":300}' : '{}')
      return
    }
    if (req.headers.authorization !== 'Bearer acc-5678') {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${host}/oauth2/token",service="svc"` }).end()
      return
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}')
  }
  const t = target(host, 'idt', { credentials: { token: 'idtok-1234' } })
  expect(await t.manifestExists(SUBJECT.digest)).toBe(false)
  const grant = seen.find(s => s.url === '/oauth2/token')!
  const form = new URLSearchParams(grant.body)
  expect(form.get('service')).toBe('svc')
  expect(form.get('scope')).toBe('repository:idt:pull')
  expect(form.get('client_id')).toBeTruthy()
})

test('a Link to another origin is not followed', async () => {
  handler = (_req, res) => {
    res
      .writeHead(200, { 'content-type': MediaType.ImageIndex, link: '<http://evil.invalid/v2/x/referrers/y?p=2>; rel="next"' })
      .end(index([`sha256:${'b'.repeat(64)}`]))
  }
  const t = target(host, 'xorigin')
  await expect(t.listReferrers(SUBJECT)).rejects.toMatchObject({ code: 'INVALID_RESPONSE', message: expect.stringContaining('another origin') })
})

test('pagination stops at the page cap', async () => {
  let n = 0
  handler = (_req, res) => {
    n++
    res.writeHead(200, { 'content-type': MediaType.ImageIndex, link: `</v2/loop/referrers/${SUBJECT.digest}?page=${n}>; rel="next"` }).end(index([]))
  }
  const t = target(host, 'loop')
  await expect(t.listReferrers(SUBJECT)).rejects.toMatchObject({ code: 'SIZE_EXCEEDED' })
  expect(n).toBe(MAX_REFERRERS_PAGES)
})

test('a 200 that is not an index means no referrers API (tag schema used)', async () => {
  handler = (req, res) => {
    if (req.url!.includes('/referrers/')) res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hello</html>')
    else res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}')
  }
  const t = target(host, 'html')
  expect(await t.listReferrers(SUBJECT)).toEqual({ descriptors: [], via: 'tag-schema', filtersApplied: false })
})

test('a redirect to plain HTTP on a non-loopback host is refused', async () => {
  handler = (_req, res) => {
    res.writeHead(307, { location: 'http://storage.invalid/blob' }).end()
  }
  const t = target(host, 'downgrade')
  await expect(t.fetchBlob({ mediaType: 'x/y', digest: SUBJECT.digest, size: 1 })).rejects.toMatchObject({
    message: expect.stringContaining('refusing to follow a redirect to http://storage.invalid')
  })
})

test('Authorization is kept on a same-origin redirect', async () => {
  handler = (req, res) => {
    if (!req.headers.authorization) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' }).end()
      return
    }
    if (req.url!.startsWith('/v2/')) res.writeHead(307, { location: '/storage/x' }).end()
    else res.writeHead(200).end('z')
  }
  const t = target(host, 'same', { credentials: { username: 'u', password: 'same-origin-pass' } })
  const d = { mediaType: 'x/y', digest: 'sha256:594e519ae499312b29433b7dd8a97ff068defcba9755b6d5d00e84c524d67b06', size: 1 }
  expect(new TextDecoder().decode(await t.fetchBlob(d))).toBe('z')
  expect(seen.find(s => s.url === '/storage/x')?.headers.authorization).toMatch(/^Basic /)
})

describe('pure helpers', () => {
  test.each([
    ['localhost:5000', [], 'http'],
    ['127.0.0.1:5000', [], 'http'],
    ['[::1]:5000', [], 'http'],
    ['ghcr.io', [], 'https'],
    ['registry.lan:5000', ['registry.lan:5000'], 'http'],
    ['registry.lan:5000', ['registry.lan'], 'http'],
    ['registry.lan:5000', ['other.lan'], 'https']
  ])('schemeFor(%s, %j) = %s', (endpoint, insecure, scheme) => {
    expect(schemeFor(endpoint, insecure)).toBe(scheme)
  })

  test.each([
    ['http://r/v2/a/blobs/uploads/u1?_state=abc%3D%3D', 'http://r/v2/a/blobs/uploads/u1?_state=abc%3D%3D&digest=sha256%3Axyz'],
    ['http://r/v2/a/blobs/uploads/u1', 'http://r/v2/a/blobs/uploads/u1?digest=sha256%3Axyz']
  ])('withDigest keeps the upload location query: %s', (loc, out) => {
    expect(withDigest(loc, 'sha256:xyz')).toBe(out)
  })
})
