// A counting HTTP proxy on loopback: forwards every request verbatim (Host header included, so the
// registry's Location headers point back at the proxy) and records it by kind: method + path class.
import http from 'node:http'

/** `PUT blob upload`, `GET tag-index`, `HEAD manifest`, … */
export function classify(method, url) {
  const q = url.indexOf('?')
  const path = q >= 0 ? url.slice(0, q) : url
  const query = q >= 0 ? url.slice(q + 1) : ''
  if (path === '/v2/' || path === '/v2') return `${method} ping`
  const m = /^\/v2\/.+\/manifests\/([^/]+)$/.exec(path)
  if (m) {
    const ref = decodeURIComponent(m[1])
    if (/^[a-z0-9]+-[a-f0-9]{32,}$/.test(ref)) return `${method} tag-index`
    return ref.includes(':') ? `${method} manifest` : `${method} manifest by tag`
  }
  if (/^\/v2\/.+\/blobs\/uploads\/?$/.test(path)) return query.includes('mount=') ? `${method} blob mount` : `${method} blob upload start`
  if (/^\/v2\/.+\/blobs\/uploads\/[^/]+$/.test(path)) return `${method} blob upload`
  if (/^\/v2\/.+\/blobs\/[^/]+$/.test(path)) return `${method} blob`
  if (/^\/v2\/.+\/referrers\/[^/]+$/.test(path)) return `${method} referrers`
  if (/^\/v2\/.+\/tags\/list$/.test(path)) return `${method} tags list`
  return `${method} other`
}

/**
 * Start the proxy in front of `upstream` (http://host:port). `log` holds the requests since the last
 * `reset()`: { kind, status, start, end } with times from performance.now().
 */
export async function startProxy(upstream) {
  const target = new URL(upstream)
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })
  let log = []
  const server = http.createServer((req, res) => {
    const entry = { kind: classify(req.method, req.url), status: 0, start: performance.now(), end: 0 }
    log.push(entry)
    const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent }, ures => {
      entry.status = ures.statusCode
      res.writeHead(ures.statusCode, ures.statusMessage, ures.rawHeaders)
      ures.pipe(res)
      ures.on('end', () => (entry.end = performance.now()))
    })
    up.on('error', e => {
      entry.status = 502
      entry.end = performance.now()
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' })
      res.end(`proxy: ${e.message}`)
    })
    req.pipe(up)
  })
  server.keepAliveTimeout = 5000
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const port = server.address().port
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    get log() {
      return log
    },
    reset() {
      log = []
    },
    /** { total, byKind: { kind: n } } of the current log */
    counts() {
      const byKind = {}
      for (const e of log) byKind[e.kind] = (byKind[e.kind] ?? 0) + 1
      return { total: log.length, byKind }
    },
    async close() {
      agent.destroy()
      server.closeAllConnections?.()
      await new Promise(r => server.close(() => r()))
    }
  }
}
