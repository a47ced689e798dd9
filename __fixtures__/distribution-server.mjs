// Debian's CNCF distribution registry (`docker-registry serve config.yml`) on a free loopback port,
// with its own temp storage (or a storage directory it shares with another instance); optionally
// with htpasswd Basic auth, optionally serving TLS with a given certificate and key. Fails loudly when the binary is
// missing or does not start: the integration tests must never skip silently.
// Plain JS (typed by distribution-server.d.mts) so that the jest fixtures and the bench script share it.
import { spawn, spawnSync } from 'node:child_process'
import { request as httpsRequest } from 'node:https'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const DISTRIBUTION_BINARY = '/usr/bin/docker-registry'
const START_TIMEOUT_MS = 20_000

/** A loopback port nothing listens on right now (bound, then closed). */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = s.address().port
      s.close(() => resolve(port))
    })
  })
}

function htpasswdLine(username, password) {
  const r = spawnSync('htpasswd', ['-Bbn', username, password], { encoding: 'utf8' })
  if (r.error || r.status !== 0) {
    throw new Error(`htpasswd -Bbn failed (${r.error?.message ?? r.stderr}): install the apache2-utils package (apt-get install apache2-utils)`)
  }
  return r.stdout.trim()
}

/** GET over TLS without checking the certificate: only to see that the server is up. */
function httpsStatus(url) {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { rejectUnauthorized: false, timeout: 1000 }, res => {
      res.resume()
      resolve(res.statusCode)
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', reject)
    req.end()
  })
}

export async function startDistribution(opts = {}) {
  if (!existsSync(DISTRIBUTION_BINARY)) {
    throw new Error(`${DISTRIBUTION_BINARY} not found: install Debian's docker-registry package (apt-get install docker-registry) to run the integration tests`)
  }
  const dir = await mkdtemp(join(tmpdir(), 'distribution-'))
  const port = await freePort()
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    // two instances on one directory (a plain one to arrange, a TLS one under test) see the same images
    `    rootdirectory: ${opts.storage ?? join(dir, 'storage')}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '  secret: oci-build-metadata-tests'
  ]
  if (opts.tls) lines.push('  tls:', `    certificate: ${opts.tls.certificate}`, `    key: ${opts.tls.key}`)
  if (opts.htpasswd) {
    await writeFile(join(dir, 'htpasswd'), `${htpasswdLine(opts.htpasswd.username, opts.htpasswd.password)}\n`)
    lines.push('auth:', '  htpasswd:', '    realm: test-registry', `    path: ${join(dir, 'htpasswd')}`)
  }
  const config = join(dir, 'config.yml')
  await writeFile(config, `${lines.join('\n')}\n`)

  let output = ''
  const child = spawn(DISTRIBUTION_BINARY, ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout.on('data', d => (output = (output + d.toString()).slice(-4000)))
  child.stderr.on('data', d => (output = (output + d.toString()).slice(-4000)))
  let exited
  let spawnError
  child.on('exit', code => (exited = code))
  child.on('error', e => (spawnError = e))

  const url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`
  const stop = async () => {
    if (exited === undefined && !child.killed) {
      await new Promise(resolve => {
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
        setTimeout(() => child.kill('SIGKILL'), 3000).unref()
      })
    }
    await rm(dir, { recursive: true, force: true })
  }

  const deadline = Date.now() + START_TIMEOUT_MS
  for (;;) {
    if (spawnError || exited !== undefined) {
      await stop()
      throw new Error(
        `${DISTRIBUTION_BINARY} did not start (${spawnError?.message ?? `exit ${exited}`}): ${output.trim()}; install or repair Debian's docker-registry package`
      )
    }
    try {
      const status = opts.tls
        ? await httpsStatus(`${url}/v2/`)
        : await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) }).then(async r => {
            await r.arrayBuffer()
            return r.status
          })
      if (status === 200 || status === 401) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop()
      throw new Error(
        `${DISTRIBUTION_BINARY} did not answer GET /v2/ within ${START_TIMEOUT_MS} ms: ${output.trim()}; install or repair Debian's docker-registry package`
      )
    }
    await new Promise(r => setTimeout(r, 100))
  }
  return { url, host: `127.0.0.1:${port}`, dir, pid: child.pid, stop }
}
