/**
 * A corporate network on loopback: an internal registry (Debian's distribution) serving TLS with a
 * certificate from a private CA under the name `registry.test`, reachable through a CONNECT proxy
 * that counts its tunnels, with a TCP relay in front of the registry that counts every connection
 * it receives, so a test can prove that all of them came through the proxy (or, with NO_PROXY,
 * that none did). A twin distribution on the same storage serves plain HTTP on 127.0.0.1 to
 * arrange images and read back what was written. `registry.test`, `other.test` (the same server
 * under a name its certificate does not hold), `selfsigned.test` and `expired.test` (TLS servers
 * with those certificates) resolve only inside the proxy, and in a subprocess given `hosts()`.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startConnectProxy, startRelay, type ConnectProxy, type Relay } from './connect-proxy.js'
import { startDistribution, type Distribution } from './distribution.js'
import { hostsFor } from './hosts.js'
import { makeTestCertificates, type TestCertificates } from './tls-certs.js'

export const REGISTRY_NAME = 'registry.test'
export const OTHER_NAME = 'other.test'
export const SELF_SIGNED_NAME = 'selfsigned.test'
export const EXPIRED_NAME = 'expired.test'
export const PLAIN_NAME = 'plain.test'
const NAMES = [REGISTRY_NAME, OTHER_NAME, SELF_SIGNED_NAME, EXPIRED_NAME, PLAIN_NAME]

export interface CorporateNetwork {
  certs: TestCertificates
  /** `registry.test:PORT`: the TLS registry, through the relay */
  registry: string
  /** `other.test:PORT`: the same server under a name its certificate does not hold */
  otherName: string
  /** `selfsigned.test:PORT`, `expired.test:PORT`: TLS servers with those certificates */
  selfSigned: string
  expired: string
  /** `plain.test:PORT`: the plain-HTTP twin, by a name that is not loopback (so proxies apply) */
  plainByName: string
  /** the plain-HTTP twin on 127.0.0.1 (arranging and reading back; never proxied: loopback) */
  plain: Distribution
  proxy: ConnectProxy
  relay: Relay
  /** connections the relay accepted that did not come from one of the proxy's tunnels */
  directConnections(): number
  /** the node args and environment that make the test names resolve in a subprocess */
  hosts(): { nodeArgs: string[]; env: Record<string, string> }
  reset(): void
  close(): Promise<void>
}

async function tlsServer(pair: { cert: string; key: string }): Promise<{ server: TlsServer; port: number }> {
  const server = createTlsServer({ cert: readFileSync(pair.cert), key: readFileSync(pair.key) }, socket => socket.end())
  server.on('tlsClientError', () => {})
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', () => resolve()))
  return { server, port: (server.address() as { port: number }).port }
}

export async function startCorporateNetwork(opts: { proxyCredentials?: { username: string; password: string } } = {}): Promise<CorporateNetwork> {
  const dir = await mkdtemp(join(tmpdir(), 'obm-network-'))
  const certs = await makeTestCertificates(join(dir, 'pki'), [REGISTRY_NAME, EXPIRED_NAME], SELF_SIGNED_NAME)
  const storage = join(dir, 'storage')
  const plain = await startDistribution({ storage })
  const secure = await startDistribution({ storage, tls: { certificate: certs.server.cert, key: certs.server.key } })
  const relay = await startRelay(Number(new URL(secure.url).port))
  const proxy = await startConnectProxy({ hosts: NAMES, ...(opts.proxyCredentials ? { credentials: opts.proxyCredentials } : {}) })
  const selfSigned = await tlsServer(certs.selfSigned)
  const expired = await tlsServer(certs.expired)
  return {
    certs,
    registry: `${REGISTRY_NAME}:${relay.port}`,
    otherName: `${OTHER_NAME}:${relay.port}`,
    selfSigned: `${SELF_SIGNED_NAME}:${selfSigned.port}`,
    expired: `${EXPIRED_NAME}:${expired.port}`,
    plainByName: `${PLAIN_NAME}:${new URL(plain.url).port}`,
    plain,
    proxy,
    relay,
    directConnections: () => {
      const viaProxy = new Set(proxy.tunnels.map(t => t.localPort))
      return relay.connections.filter(p => !viaProxy.has(p)).length
    },
    hosts: () => hostsFor(NAMES),
    reset: () => {
      proxy.reset()
      relay.reset()
    },
    close: async () => {
      await proxy.close()
      await relay.close()
      for (const s of [selfSigned.server, expired.server]) await new Promise<void>(resolve => s.close(() => resolve()))
      await secure.stop()
      await plain.stop()
      await rm(dir, { recursive: true, force: true })
    }
  }
}
