/**
 * Verifying a Sigstore bundle: the signature over the DSSE envelope, the certificate chain to a
 * trusted Fulcio, its SCT, and transparency evidence (a Rekor entry or an RFC 3161 timestamp from a
 * trusted authority), against a trusted root — from Sigstore's TUF repository by default, or a file
 * for air-gapped runners. Returns who signed and the statement; matching the signer and the subject
 * is the gate's (pure) business. Loaded only when a signer is required.
 */
import { bundleFromJSON, type Bundle } from '@sigstore/bundle'
import { ASN1Obj, X509Certificate } from '@sigstore/core'
import { TrustedRoot } from '@sigstore/protobuf-specs'
import { getTrustedRoot } from '@sigstore/tuf'
import { Verifier, toSignedEntity, toTrustMaterial, type TrustMaterial } from '@sigstore/verify'
import { readFile } from 'node:fs/promises'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { OciError, UsageError } from '../errors.js'
import type { SignerIdentity } from './signer.js'

/** Fulcio's source repository URI extension. https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md */
const SOURCE_REPOSITORY_URI_OID = '1.3.6.1.4.1.57264.1.12'
const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json'

export type Trust = TrustMaterial

export async function loadTrust(trustedRootPath: string | undefined): Promise<Trust> {
  if (trustedRootPath) {
    let json: unknown
    try {
      json = JSON.parse(await readFile(trustedRootPath, 'utf8'))
    } catch (e) {
      throw new UsageError(`trusted-root ${trustedRootPath} cannot be read as JSON: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
        hint: 'give the path of a Sigstore trusted_root.json'
      })
    }
    try {
      return toTrustMaterial(TrustedRoot.fromJSON(json))
    } catch (e) {
      throw new UsageError(`trusted-root ${trustedRootPath} is not a Sigstore trusted root: ${(e as Error).message}`, {
        hint: 'give a trusted_root.json, e.g. from `gh attestation trusted-root`'
      })
    }
  }
  try {
    return toTrustMaterial(await getTrustedRoot({ cachePath: mkdtempSync(join(tmpdir(), 'obm-tuf-')) }))
  } catch (e) {
    throw new OciError('NETWORK', `get Sigstore's trusted root through TUF: ${(e as Error).message}`, {
      op: 'get trusted root',
      hint: 'check that the runner reaches tuf-repo-cdn.sigstore.dev, or give trusted-root (a trusted_root.json, e.g. from `gh attestation trusted-root`)',
      cause: e
    })
  }
}

export type BundleCheck = { verified: true; identity: SignerIdentity; statement: unknown } | { verified: false; problem: string; identity?: SignerIdentity }

function identityOf(bundle: Bundle): SignerIdentity | undefined {
  const vm = bundle.verificationMaterial.content
  const raw =
    vm.$case === 'certificate' ? vm.certificate.rawBytes : vm.$case === 'x509CertificateChain' ? vm.x509CertificateChain.certificates[0]?.rawBytes : undefined
  if (!raw) return undefined
  const cert = X509Certificate.parse(Buffer.from(raw))
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

/** Verify one bundle (its JSON bytes). Never throws for a bad bundle: says why. */
export function checkBundle(bytes: Uint8Array, trust: Trust): BundleCheck {
  let bundle: Bundle
  try {
    bundle = bundleFromJSON(JSON.parse(new TextDecoder().decode(bytes)))
  } catch (e) {
    return { verified: false, problem: `not a valid Sigstore bundle (${(e as Error).message})` }
  }
  let identity: SignerIdentity | undefined
  try {
    identity = identityOf(bundle)
  } catch {
    identity = undefined
  }
  if (bundle.content.$case !== 'dsseEnvelope')
    return { verified: false, problem: 'the bundle signs a message, not an in-toto statement', ...(identity ? { identity } : {}) }
  const envelope = bundle.content.dsseEnvelope
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE)
    return { verified: false, problem: `the bundle's payload is ${envelope.payloadType}, not an in-toto statement`, ...(identity ? { identity } : {}) }
  try {
    // transparency evidence: a log entry where the bundle has one, else a signed timestamp (GitHub's instance)
    const verifier = new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 1, timestampThreshold: 1 })
    const signer = verifier.verify(toSignedEntity(bundle))
    const san = signer.identity?.subjectAlternativeName ?? identity?.san ?? ''
    const issuer = signer.identity?.extensions?.issuer
    const verifiedIdentity: SignerIdentity = {
      san,
      ...(issuer ? { issuer } : {}),
      ...(identity?.sourceRepository ? { sourceRepository: identity.sourceRepository } : {})
    }
    let statement: unknown
    try {
      statement = JSON.parse(Buffer.from(envelope.payload).toString('utf8'))
    } catch {
      return { verified: false, problem: 'the signed statement is not JSON', identity: verifiedIdentity }
    }
    return { verified: true, identity: verifiedIdentity, statement }
  } catch (e) {
    return { verified: false, problem: `its signature does not verify: ${(e as Error).message}`, ...(identity ? { identity } : {}) }
  }
}
