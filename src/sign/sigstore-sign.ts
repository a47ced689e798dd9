/**
 * Keyless signing through Sigstore, the way actions/attest signs: an in-toto statement in a DSSE
 * envelope, an ephemeral key certified by Fulcio for the OIDC identity, a transparency log entry
 * (Rekor) or a signed timestamp (TSA) as the witness, all in one v0.3 bundle.
 * https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_bundle.proto
 * Loaded only when `sign: true`: the Sigstore client is most of its weight.
 */
import { bundleToJSON } from '@sigstore/bundle'
import { DSSEBundleBuilder, FulcioSigner, RekorWitness, TSAWitness, type Witness } from '@sigstore/sign'
import { OciError } from '../errors.js'
import type { SigstoreEndpoints } from './instance.js'
import type { TokenSource } from './oidc.js'

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json'
/** Each request to Fulcio, Rekor or the TSA. */
export const SIGSTORE_TIMEOUT_MS = 20_000
export const SIGSTORE_RETRIES = 2

/** Sign each statement (exact bytes); returns each bundle as the JSON bytes to store. */
export async function signStatements(
  statements: Array<{ label: string; bytes: Uint8Array }>,
  endpoints: SigstoreEndpoints,
  tokens: TokenSource
): Promise<Uint8Array[]> {
  const common = { timeout: SIGSTORE_TIMEOUT_MS, retry: SIGSTORE_RETRIES }
  const witnesses: Witness[] = []
  if (endpoints.rekorURL) witnesses.push(new RekorWitness({ rekorBaseURL: endpoints.rekorURL, fetchOnConflict: true, ...common }))
  if (endpoints.tsaURL) witnesses.push(new TSAWitness({ tsaBaseURL: endpoints.tsaURL, ...common }))
  const builder = new DSSEBundleBuilder({
    signer: new FulcioSigner({ identityProvider: { getToken: () => tokens.getToken() }, fulcioBaseURL: endpoints.fulcioURL, ...common }),
    witnesses
  })
  const out: Uint8Array[] = []
  for (const s of statements) {
    try {
      const bundle = await builder.create({ data: Buffer.from(s.bytes), type: IN_TOTO_PAYLOAD_TYPE })
      out.push(new TextEncoder().encode(JSON.stringify(bundleToJSON(bundle))))
    } catch (e) {
      throw new OciError('NETWORK', `sign the ${s.label} with Sigstore (${endpoints.instance}, ${endpoints.fulcioURL}): ${describeCause(e)}`, {
        op: 'sign',
        hint: 're-run the job; check that the runner reaches the Sigstore instance and that the job has "permissions: id-token: write"',
        cause: e
      })
    }
  }
  return out
}

function describeCause(e: unknown): string {
  const parts: string[] = []
  for (let c: unknown = e, i = 0; c instanceof Error && i < 4; c = (c as Error & { cause?: unknown }).cause, i++) parts.push(c.message)
  return parts.filter((p, i) => p && parts.indexOf(p) === i).join(': ') || String(e)
}
