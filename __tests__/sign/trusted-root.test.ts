/**
 * Which evidence a bundle needs, from its trusted root; which root issued a certificate, by signature.
 * The GitHub case uses real material: the leaf certificate of a bundle actions/attest made in a private
 * repository (__fixtures__/sigstore-github/github-instance-leaf.der: no SCT) and GitHub's published Fulcio chain.
 */
import { generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { X509Certificate } from '@sigstore/core'
import { initializeCA } from '@sigstore/mock'
import { describeName, issuingInstance } from '../../src/sign/sigstore-verify.js'
import { evidenceFor, instanceOf, parseTrustedRoots } from '../../src/sign/trusted-root.js'

const chain = JSON.parse(readFileSync('__fixtures__/sigstore-github/fulcio-chain.json', 'utf8')) as { uri: string; certificates: string[] }
const leaf = X509Certificate.parse(readFileSync('__fixtures__/sigstore-github/github-instance-leaf.der') as Buffer<ArrayBuffer>)
const keyPair = () => generateKeyPairSync('ec', { namedCurve: 'P-256' })

/** A trusted root in protobuf JSON, shaped as an instance's: which logs and authorities it lists. */
function rootJson(caCerts: string[], shape: { ct?: boolean; tlog?: boolean; tsa?: boolean }, uri = 'https://fulcio.example') {
  const spki = keyPair().publicKey.export({ type: 'spki', format: 'der' }).toString('base64')
  const log = {
    baseUrl: 'https://log.example',
    hashAlgorithm: 'SHA2_256',
    publicKey: { rawBytes: spki, keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start: '2020-01-01T00:00:00Z' } },
    logId: { keyId: 'AAAA' }
  }
  const authority = (certs: string[]) => ({
    subject: { organization: 'x', commonName: 'y' },
    uri,
    certChain: { certificates: certs.map(rawBytes => ({ rawBytes })) },
    validFor: { start: '2020-01-01T00:00:00Z' }
  })
  return {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: shape.tlog ? [log] : [],
    certificateAuthorities: [authority(caCerts)],
    ctlogs: shape.ct ? [log] : [],
    // GitHub's TSA chain is not reproduced here: its CA root stands in, only so that the root parses
    timestampAuthorities: shape.tsa ? [authority([caCerts.at(-1)!])] : []
  }
}

describe('evidenceFor: what bundles of an instance need, from its root alone', () => {
  test.each([
    ['public-good (CT logs, Rekor, a TSA): an SCT and a log entry', { ct: true, tlog: true, tsa: true }, { sct: true, log: true, signedTimestamp: false }],
    ["GitHub's instance (a TSA, no CT log, no tlog): a signed timestamp only", { tsa: true }, { sct: false, log: false, signedTimestamp: true }],
    ['a private instance with Rekor only: a log entry', { tlog: true }, { sct: false, log: true, signedTimestamp: false }],
    [
      'a private instance with Rekor and a TSA, no CT: either (one verified timestamp)',
      { tlog: true, tsa: true },
      { sct: false, log: false, signedTimestamp: false }
    ]
  ] as Array<[string, { ct?: boolean; tlog?: boolean; tsa?: boolean }, object]>)('%s', (_n, shape, expected) => {
    const root = { ctlogs: shape.ct ? [1] : [], tlogs: shape.tlog ? [1] : [], timestampAuthorities: shape.tsa ? [1] : [] }
    expect(evidenceFor(root)).toEqual(expected)
  })
  test('a root with neither a log nor a timestamp authority cannot date a signature: refused', () => {
    expect(evidenceFor({ ctlogs: [1], tlogs: [], timestampAuthorities: [] })).toBeUndefined()
    expect(() => instanceOf(rootJson(chain.certificates, { ct: true }), 'roots.json')).toThrow(/lists neither a transparency log nor a timestamp authority/)
  })
})

describe('parseTrustedRoots', () => {
  const one = JSON.stringify(rootJson(chain.certificates, { tsa: true }), null, 2)
  test('one pretty-printed trusted_root.json is one root', () => {
    expect(parseTrustedRoots(one, 'r.json')).toHaveLength(1)
  })
  test('JSON Lines, as gh attestation trusted-root prints them, are one root a line (blank lines ignored)', () => {
    const lines = `${JSON.stringify(rootJson(chain.certificates, { ct: true, tlog: true }))}\n\n${JSON.stringify(rootJson(chain.certificates, { tsa: true }))}\n`
    expect(parseTrustedRoots(lines, 'r.jsonl')).toHaveLength(2)
  })
  test('a line that is not JSON is named', () => {
    expect(() => parseTrustedRoots(`${JSON.stringify({ a: 1 })}\n{"b":`, 'r.jsonl')).toThrow(/^trusted-root r\.jsonl: line 2 is not JSON/)
  })
  test('an empty file is refused', () => {
    expect(() => parseTrustedRoots('\n\n', 'r.jsonl')).toThrow(/is empty/)
  })
})

describe("a real certificate from GitHub's instance", () => {
  test('carries no SCT, and names its issuer', () => {
    expect(leaf.extSCT).toBeUndefined()
    expect(describeName(leaf.issuer)).toBe('O=GitHub, Inc., CN=Fulcio Intermediate l2')
  })

  test("is matched to GitHub's root by signature, which asks for a signed timestamp and no SCT, even with another root listed first", async () => {
    const ca = await initializeCA(keyPair())
    const other = instanceOf(rootJson([ca.rootCertificate.toString('base64')], { ct: true, tlog: true, tsa: true }), 'public-good', 1)
    const github = instanceOf(rootJson(chain.certificates, { tsa: true }, chain.uri), 'github', 2)
    const found = issuingInstance(leaf, [other, github])
    expect(found?.label).toBe('fulcio.githubapp.com')
    expect(found?.evidence).toEqual({ sct: false, log: false, signedTimestamp: true })
    expect(issuingInstance(leaf, [other])).toBeUndefined()
  })

  test('two CAs with the same name: the one whose key signed the certificate is chosen', async () => {
    const [a, b] = [await initializeCA(keyPair()), await initializeCA(keyPair())]
    const pem = (k: ReturnType<typeof keyPair>) => k.publicKey.export({ type: 'spki', format: 'der' })
    const cert = X509Certificate.parse((await b.issueCertificate({ publicKey: pem(keyPair()), subjectAltName: 'https://example/x' })) as Buffer<ArrayBuffer>)
    const ia = instanceOf(rootJson([a.rootCertificate.toString('base64')], { tsa: true }, 'a'), 'a', 1)
    const ib = instanceOf(rootJson([b.rootCertificate.toString('base64')], { tsa: true }, 'b'), 'b', 2)
    expect(describeName(cert.issuer)).toBe(describeName(X509Certificate.parse(a.rootCertificate as Buffer<ArrayBuffer>).subject))
    expect(issuingInstance(cert, [ia, ib])?.label).toBe('b')
  })
})
