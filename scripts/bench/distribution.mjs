// Debian's CNCF distribution registry (`docker-registry serve config.yml`) on a free loopback port,
// with its own temp storage: the same setup as __fixtures__/distribution.ts, in plain JS for the bench.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const DISTRIBUTION_BINARY = '/usr/bin/docker-registry'

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

export async function startDistribution() {
  if (!existsSync(DISTRIBUTION_BINARY)) {
    throw new Error(`${DISTRIBUTION_BINARY} not found: install Debian's docker-registry package (apt-get install docker-registry)`)
  }
  const dir = await mkdtemp(join(tmpdir(), 'bench-distribution-'))
  const port = await freePort()
  const config = join(dir, 'config.yml')
  await writeFile(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: error',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'storage')}`,
      '  delete:',
      '    enabled: true',
      '  maintenance:',
      '    uploadpurging:',
      '      enabled: false',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '  secret: oci-build-metadata-bench',
      ''
    ].join('\n')
  )
  let output = ''
  const child = spawn(DISTRIBUTION_BINARY, ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout.on('data', d => (output = (output + d).slice(-4000)))
  child.stderr.on('data', d => (output = (output + d).slice(-4000)))
  let exited
  child.on('exit', code => (exited = code))
  const url = `http://127.0.0.1:${port}`
  const stop = async () => {
    if (exited === undefined) {
      await new Promise(resolve => {
        child.once('exit', resolve)
        child.kill('SIGTERM')
        setTimeout(() => child.kill('SIGKILL'), 3000).unref()
      })
    }
    await rm(dir, { recursive: true, force: true })
  }
  const deadline = Date.now() + 20_000
  for (;;) {
    if (exited !== undefined) {
      await stop()
      throw new Error(`docker-registry exited (${exited}): ${output.trim()}`)
    }
    try {
      const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) })
      await res.arrayBuffer()
      if (res.status === 200) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`docker-registry did not answer within 20 s: ${output.trim()}`)
    }
    await new Promise(r => setTimeout(r, 100))
  }
  return { url, host: `127.0.0.1:${port}`, dir, pid: child.pid, stop }
}
