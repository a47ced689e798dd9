/**
 * A private CA and server certificates made with `openssl` for the TLS tests: what an internal
 * registry (Harbor, Artifactory, Nexus, GitLab) behind a corporate CA presents. P-256 keys, so making
 * them takes milliseconds. Fails loudly when openssl is missing: the tests must never skip silently.
 */
import { execFileSync } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export interface KeyPair {
  cert: string
  key: string
}

export interface TestCertificates {
  /** the CA certificate (PEM file): what NODE_EXTRA_CA_CERTS names */
  ca: string
  /** issued by the CA for `names` */
  server: KeyPair
  /** issued by the CA for `names`, valid only on 2020-01-01 */
  expired: KeyPair
  /** self-signed, for `selfSignedName` */
  selfSigned: KeyPair
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (e) {
    const err = e as { code?: string; stderr?: Buffer }
    if (err.code === 'ENOENT') throw new Error('openssl not found: install the openssl package (apt-get install openssl) to run the TLS tests')
    throw new Error(`openssl ${args[0]} failed: ${err.stderr?.toString().trim() ?? String(e)}`)
  }
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']

export async function makeTestCertificates(dir: string, names: string[], selfSignedName: string): Promise<TestCertificates> {
  await mkdir(join(dir, 'db'), { recursive: true })
  const san = names.map(n => `DNS:${n}`).join(',')
  openssl(
    [
      'req',
      '-x509',
      ...EC,
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      '/CN=oci-build-metadata test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign'
    ],
    dir
  )
  openssl(['req', ...EC, '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${names[0]}`], dir)
  await writeFile(join(dir, 'server.ext'), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`)
  openssl(
    ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext'],
    dir
  )
  // `openssl ca` is the one that takes explicit dates (x509 -req cannot backdate)
  await writeFile(join(dir, 'db', 'index.txt'), '')
  await writeFile(join(dir, 'db', 'serial'), '1000\n')
  await writeFile(
    join(dir, 'ca.cnf'),
    [
      '[ca]',
      'default_ca = test',
      '[test]',
      'database = db/index.txt',
      'serial = db/serial',
      'new_certs_dir = db',
      'default_md = sha256',
      'policy = any',
      '[any]',
      'commonName = supplied',
      '[ext]',
      `subjectAltName = ${san}`,
      'basicConstraints = CA:FALSE',
      'extendedKeyUsage = serverAuth',
      ''
    ].join('\n')
  )
  openssl(
    [
      'ca',
      '-batch',
      '-config',
      'ca.cnf',
      '-cert',
      'ca.pem',
      '-keyfile',
      'ca.key',
      '-in',
      'server.csr',
      '-out',
      'expired.pem',
      '-startdate',
      '20200101000000Z',
      '-enddate',
      '20200102000000Z',
      '-extensions',
      'ext',
      '-notext'
    ],
    dir
  )
  openssl(
    [
      'req',
      '-x509',
      ...EC,
      '-keyout',
      'self.key',
      '-out',
      'self.pem',
      '-days',
      '2',
      '-subj',
      `/CN=${selfSignedName}`,
      '-addext',
      `subjectAltName=DNS:${selfSignedName}`
    ],
    dir
  )
  return {
    ca: join(dir, 'ca.pem'),
    server: { cert: join(dir, 'server.pem'), key: join(dir, 'server.key') },
    expired: { cert: join(dir, 'expired.pem'), key: join(dir, 'server.key') },
    selfSigned: { cert: join(dir, 'self.pem'), key: join(dir, 'self.key') }
  }
}
