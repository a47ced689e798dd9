/**
 * Signed statements and the referrers other tools make of them, built the way those tools build them:
 * - `signStatement`: a DSSE bundle v0.3 from the test Sigstore (__fixtures__/sigstore.ts), with a log
 *   entry (public-good) or a signed timestamp (GitHub's instance), as @sigstore/sign makes it for
 *   actions/attest and cosign;
 * - `pushCosignReferrer`: cosign v3's referrer (`cosign sign`, `cosign attest --new-bundle-format`),
 *   in go-containerregistry's JSON field order: `config` is `{}` with media type
 *   `application/vnd.oci.empty.v1+json` and the bundle type as its artifactType, one bundle layer,
 *   annotations `org.opencontainers.image.created`, `dev.sigstore.bundle.content`,
 *   `dev.sigstore.bundle.predicateType`, then `subject` and `artifactType`. On a registry without the
 *   referrers API, go-containerregistry appends an entry WITHOUT annotations to the `sha256-<hex>` index.
 *   https://github.com/sigstore/cosign/blob/main/pkg/oci/remote/write.go (WriteReferrer)
 * - `cosignSignStatement`: what `cosign sign` signs: a statement over the digest only (no name),
 *   predicate type https://sigstore.dev/cosign/sign/v1, an empty predicate.
 */
import { bundleToJSON } from '@sigstore/bundle'
import { attachArtifactToImage } from '@sigstore/oci'
import { DSSEBundleBuilder, FulcioSigner, RekorWitness, TSAWitness, type Witness } from '@sigstore/sign'
import { digestOf } from '../src/oci/digest.js'
import { referrersTagName } from '../src/oci/referrer-descriptors.js'
import { MediaType } from '../src/oci/media-types.js'
import type { Descriptor } from '../src/oci/types.js'
import { bytesOf, imageIndex, remote } from './builders.js'
import type { SigstoreMock, WorkflowClaims } from './sigstore.js'
import type { RegistryUnderTest } from './topology.js'

export const BUNDLE_V03 = 'application/vnd.dev.sigstore.bundle.v0.3+json'
export const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1'

/** Sign a statement as `claims`' workflow; the witness follows the instance unless given. */
export async function signStatement(sig: SigstoreMock, claims: WorkflowClaims, statement: unknown, witness?: 'rekor' | 'tsa'): Promise<Uint8Array> {
  const w = witness ?? (sig.shape === 'github' ? 'tsa' : 'rekor')
  const witnesses: Witness[] = [w === 'rekor' ? new RekorWitness({ rekorBaseURL: sig.url, fetchOnConflict: true }) : new TSAWitness({ tsaBaseURL: sig.url })]
  const builder = new DSSEBundleBuilder({
    signer: new FulcioSigner({ identityProvider: { getToken: async () => sig.idToken(claims) }, fulcioBaseURL: sig.url }),
    witnesses
  })
  const bundle = await builder.create({ data: Buffer.from(JSON.stringify(statement)), type: 'application/vnd.in-toto+json' })
  return bytesOf(bundleToJSON(bundle))
}

export function cosignSignStatement(imageDigest: string): unknown {
  const [alg, hex] = imageDigest.split(':')
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ digest: { [alg!]: hex }, annotations: {} }],
    predicateType: COSIGN_SIGN_PREDICATE,
    predicate: {}
  }
}

/** An in-toto statement over one image, with any predicate. */
export function statementFor(name: string, imageDigest: string, predicateType: string, predicate: unknown = {}): unknown {
  const [alg, hex] = imageDigest.split(':')
  return { _type: 'https://in-toto.io/Statement/v1', subject: [{ name, digest: { [alg!]: hex } }], predicateType, predicate }
}

export interface CosignReferrerOptions {
  /** the manifest's annotations; `false`: none at all (a client that adds none, which the bundle spec allows) */
  annotations?: Record<string, string> | false
}

/** Push a bundle as cosign v3 does; returns the referrer's descriptor as the referrers API would list it. */
export async function pushCosignReferrer(
  reg: RegistryUnderTest,
  repo: string,
  subject: Descriptor,
  bundle: Uint8Array,
  predicateType: string,
  opts: CosignReferrerOptions = {}
): Promise<Descriptor> {
  const t = remote(`${reg.host}/${repo}:unused`)
  const config = await t.pushBlob({ bytes: bytesOf('{}') }, { mediaType: MediaType.ImageConfig })
  const layer = await t.pushBlob({ bytes: bundle }, { mediaType: BUNDLE_V03 })
  const annotations =
    opts.annotations === false
      ? undefined
      : (opts.annotations ?? {
          'dev.sigstore.bundle.content': 'dsse-envelope',
          'dev.sigstore.bundle.predicateType': predicateType,
          'org.opencontainers.image.created': new Date().toISOString().replace(/\.\d+Z$/, 'Z')
        })
  // go-containerregistry's field order (v1.Manifest, v1.Descriptor), Go's sorted map keys
  const sorted = annotations ? Object.fromEntries(Object.entries(annotations).sort(([a], [b]) => (a < b ? -1 : 1))) : undefined
  const json =
    `{"schemaVersion":2,"mediaType":"${MediaType.ImageManifest}",` +
    `"config":{"mediaType":"${MediaType.Empty}","size":${config.size},"digest":"${config.digest}","artifactType":"${BUNDLE_V03}"},` +
    `"layers":[{"mediaType":"${BUNDLE_V03}","size":${layer.size},"digest":"${layer.digest}"}],` +
    (sorted ? `"annotations":${JSON.stringify(sorted)},` : '') +
    `"subject":{"mediaType":"${subject.mediaType}","size":${subject.size},"digest":"${subject.digest}"},` +
    `"artifactType":"${BUNDLE_V03}"}`
  const bytes = bytesOf(json)
  const pushed = await t.pushManifest(bytes, MediaType.ImageManifest)
  if (pushed.descriptor.digest !== digestOf(bytes)) throw new Error('the registry stored other bytes')
  const listed: Descriptor = { mediaType: MediaType.ImageManifest, digest: pushed.descriptor.digest, size: bytes.length, artifactType: BUNDLE_V03 }
  if (reg.tagSchema) await appendToReferrersTag(reg, repo, subject.digest, listed)
  return { ...listed, ...(sorted ? { annotations: sorted } : {}) }
}

/** go-containerregistry's tag-schema update: read the index, append the descriptor (no annotations), push it back. */
async function appendToReferrersTag(reg: RegistryUnderTest, repo: string, subjectDigest: string, d: Descriptor): Promise<void> {
  const t = remote(`${reg.host}/${repo}:unused`)
  const tag = referrersTagName(subjectDigest)
  let manifests: Descriptor[] = []
  try {
    manifests = (JSON.parse(new TextDecoder().decode((await t.fetchManifest(tag)).bytes)) as { manifests?: Descriptor[] }).manifests ?? []
  } catch {
    manifests = []
  }
  await t.pushManifest(imageIndex([...manifests, d]).bytes, MediaType.ImageIndex, tag)
}

/** A bundle pushed the way actions/attest's push-to-registry does: @sigstore/oci, with its two annotations (anonymous on loopback). */
export function pushAsAttest(imageName: string, imageDigest: string, bundle: Uint8Array, predicateType: string) {
  const opts = {
    imageName,
    imageDigest,
    artifact: Buffer.from(bundle),
    mediaType: BUNDLE_V03,
    annotations: { 'dev.sigstore.bundle.content': 'dsse-envelope', 'dev.sigstore.bundle.predicateType': predicateType }
  }
  return attachArtifactToImage(opts as unknown as Parameters<typeof attachArtifactToImage>[0])
}
