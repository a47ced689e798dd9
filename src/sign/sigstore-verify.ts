/**
 * Verifying a Sigstore bundle: the signature over the DSSE envelope, the certificate chain to the
 * trusted root whose CA issued the certificate, and the evidence that root's instance requires (an
 * SCT and a log entry for public-good, a signed timestamp for GitHub's: src/sign/trusted-root.ts).
 * Returns who signed and the statement; matching the signer, the subject and the predicate is the
 * gate's (pure) business. Loaded only when bundles are checked.
 */
import { bundleFromJSON, type Bundle } from '@sigstore/bundle'
import { ASN1Obj, X509Certificate } from '@sigstore/core'
import { Verifier, toSignedEntity } from '@sigstore/verify'
import type { SignerIdentity } from './signer.js'
import type { Trust, TrustedInstance } from './trusted-root.js'

export { loadTrust, type Trust } from './trusted-root.js'

/** Fulcio's source repository URI extension. https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md */
const SOURCE_REPOSITORY_URI_OID = '1.3.6.1.4.1.57264.1.12'
const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json'
/** X.520 attribute types named in messages. https://www.rfc-editor.org/rfc/rfc4519#section-2 */
const NAME_ATTRIBUTES: Record<string, string> = { '2.5.4.3': 'CN', '2.5.4.10': 'O', '2.5.4.11': 'OU', '2.5.4.6': 'C' }

export type BundleCheck = { verified: true; identity: SignerIdentity; statement: unknown } | { verified: false; problem: string; identity?: SignerIdentity }

/** DER length octets. */
function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n])
  const bytes: number[] = []
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

/** `O=GitHub, Inc., CN=Fulcio Intermediate l2` from a Name's content (what X509Certificate.issuer gives: the SETs, no SEQUENCE header). */
export function describeName(content: Buffer): string {
  try {
    const der = Buffer.concat([Buffer.from([0x30]), derLength(content.length), content])
    const parts: string[] = []
    for (const set of ASN1Obj.parseBuffer(der as Buffer<ArrayBuffer>).subs)
      for (const attr of set.subs) {
        const oid = attr.subs[0]?.toOID() ?? ''
        parts.push(`${NAME_ATTRIBUTES[oid] ?? oid}=${attr.subs[1]?.value.toString('utf8') ?? ''}`)
      }
    return parts.join(', ') || '(an empty name)'
  } catch {
    return '(an unreadable name)'
  }
}

function leafOf(bundle: Bundle): X509Certificate | undefined {
  const vm = bundle.verificationMaterial.content
  const raw =
    vm.$case === 'certificate' ? vm.certificate.rawBytes : vm.$case === 'x509CertificateChain' ? vm.x509CertificateChain.certificates[0]?.rawBytes : undefined
  return raw ? X509Certificate.parse(Buffer.from(raw)) : undefined
}

function identityOf(cert: X509Certificate): SignerIdentity {
  const ext = cert.extension(SOURCE_REPOSITORY_URI_OID)
  let sourceRepository: string | undefined
  if (ext) {
    try {
      sourceRepository = ASN1Obj.parseBuffer(ext.value as Buffer<ArrayBuffer>).value.toString('utf8')
    } catch {
      sourceRepository = undefined
    }
  }
  return { san: cert.subjectAltName ?? '', ...(sourceRepository ? { sourceRepository } : {}) }
}

/**
 * The trusted instance whose CA signed this certificate (any certificate of its root's certificate
 * authorities): checked cryptographically, not by name.
 */
export function issuingInstance(leaf: X509Certificate, trust: Trust): TrustedInstance | undefined {
  return trust.find(t =>
    t.material.certificateAuthorities.some(authority =>
      authority.certChain.some(ca => {
        if (!ca.subject.equals(leaf.issuer)) return false
        try {
          return leaf.verify(ca)
        } catch {
          return false
        }
      })
    )
  )
}

/** What the bundle lacks of the evidence its instance requires, in words; undefined when nothing. */
function missingEvidence(t: TrustedInstance, leaf: X509Certificate, entity: ReturnType<typeof toSignedEntity>): string | undefined {
  if (t.evidence.sct && !leaf.extSCT) return `its certificate carries no SCT, which certificates of ${t.label} must (its root has CT logs)`
  if (t.evidence.log && entity.tlogEntries.length === 0) return `it has no transparency-log entry, which bundles certified by ${t.label} need`
  if (t.evidence.signedTimestamp && !entity.timestamps.some(x => x.$case === 'timestamp-authority'))
    return `it has no RFC 3161 signed timestamp, which bundles certified by ${t.label} need (that instance keeps no transparency log)`
  return undefined
}

/** Verify one bundle (its JSON bytes). Never throws for a bad bundle: says why. */
export function checkBundle(bytes: Uint8Array, trust: Trust): BundleCheck {
  let bundle: Bundle
  try {
    bundle = bundleFromJSON(JSON.parse(new TextDecoder().decode(bytes)))
  } catch (e) {
    return { verified: false, problem: `not a valid Sigstore bundle (${(e as Error).message})` }
  }
  let leaf: X509Certificate | undefined
  try {
    leaf = leafOf(bundle)
  } catch (e) {
    return { verified: false, problem: `its certificate cannot be read (${(e as Error).message})` }
  }
  if (!leaf) return { verified: false, problem: 'it is signed with a key, not a certificate, so it names no signer' }
  const identity = identityOf(leaf)
  const fail = (problem: string): BundleCheck => ({ verified: false, problem, identity })
  if (bundle.content.$case !== 'dsseEnvelope') return fail('the bundle signs a message, not an in-toto statement')
  const envelope = bundle.content.dsseEnvelope
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) return fail(`the bundle's payload is ${envelope.payloadType}, not an in-toto statement`)
  const instance = issuingInstance(leaf, trust)
  if (!instance)
    return fail(
      `its certificate was issued by "${describeName(leaf.issuer)}", a CA that the trusted root does not hold ` +
        `(trusted: ${trust.map(t => t.label).join(', ')}); for GitHub's instance give trusted-root from \`gh attestation trusted-root\``
    )
  const entity = toSignedEntity(bundle)
  const missing = missingEvidence(instance, leaf, entity)
  if (missing) return fail(missing)
  let signer: ReturnType<Verifier['verify']>
  try {
    const verifier = new Verifier(instance.material, {
      ctlogThreshold: instance.evidence.sct ? 1 : 0,
      tlogThreshold: instance.evidence.log ? 1 : 0,
      timestampThreshold: 1
    })
    signer = verifier.verify(entity)
  } catch (e) {
    return fail(`its signature does not verify against ${instance.label}: ${(e as Error).message}`)
  }
  const issuer = signer.identity?.extensions?.issuer
  const verified: SignerIdentity = { ...identity, san: signer.identity?.subjectAlternativeName ?? identity.san, ...(issuer ? { issuer } : {}) }
  let statement: unknown
  try {
    statement = JSON.parse(Buffer.from(envelope.payload).toString('utf8'))
  } catch {
    return { verified: false, problem: 'the signed statement is not JSON', identity: verified }
  }
  return { verified: true, identity: verified, statement }
}
