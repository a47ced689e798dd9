/**
 * Annotation namespaces that belong to others: the one list. Neither `annotation-prefix` nor a key of
 * the `annotations` input may fall in one of them (src/metadata/user-annotations.ts, src/inputs.ts),
 * because a consumer reads these keys as the owner defined them: our schema version in
 * `org.opencontainers.image.version` would become the image's version, a `vnd.docker.reference.type`
 * would make our artifact look like BuildKit's attestation manifest.
 *
 * The image spec's pre-defined `org.opencontainers.image.*` keys are the exception for the
 * `annotations` input: the spec intends them for "image index, image manifest, and descriptor
 * authors", and the user is the image's author.
 */

export interface ReservedNamespace {
  /** the namespace: a key equal to it, or starting with it and `.` or `/`, is inside */
  prefix: string
  /** who it belongs to, for messages */
  owner: string
  /** where the owner defines or reserves it */
  source: string
}

export const RESERVED_NAMESPACES: readonly ReservedNamespace[] = [
  {
    prefix: 'org.opencontainers',
    owner: 'the OCI specifications (image-spec annotations.md reserves org.opencontainers for keys OCI specifications define)',
    source: 'https://github.com/opencontainers/image-spec/blob/v1.1.0/annotations.md#rules'
  },
  {
    prefix: 'io.cncf',
    owner: 'CNCF projects (Notary Project signatures: io.cncf.notary.*)',
    source: 'https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md'
  },
  {
    prefix: 'dev.sigstore',
    owner: 'Sigstore (dev.sigstore.bundle.* on bundle referrers, dev.sigstore.cosign/* on cosign signatures)',
    source: 'https://github.com/sigstore/cosign/blob/main/specs/BUNDLE_SPEC.md'
  },
  {
    prefix: 'dev.cosignproject',
    owner: 'cosign (dev.cosignproject.cosign/signature on signature layers)',
    source: 'https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md'
  },
  {
    prefix: 'vnd.docker',
    owner: "Docker's BuildKit (vnd.docker.reference.type and .digest mark attestation manifests)",
    source: 'https://github.com/moby/buildkit/blob/master/docs/attestations/attestation-storage.md'
  },
  {
    prefix: 'in-toto.io',
    owner: 'in-toto (in-toto.io/predicate-type on attestation layers)',
    source: 'https://github.com/moby/buildkit/blob/master/docs/attestations/attestation-storage.md'
  },
  {
    prefix: 'com.docker',
    owner: 'Docker (com.docker.official-images.*, com.docker.extension.*)',
    source: 'https://github.com/docker-library/official-images#image-build'
  },
  {
    prefix: 'io.containerd',
    owner: 'containerd (io.containerd.image.name and others, written on export and import)',
    source: 'https://github.com/containerd/containerd/blob/main/core/images/annotations.go'
  }
]

/**
 * The image spec's pre-defined keys an image author may set
 * (https://github.com/opencontainers/image-spec/blob/v1.1.0/annotations.md#pre-defined-annotation-keys).
 * `ref.name` and `referrer.*` are left out: they are valid only on an image layout's index.json.
 */
export const OCI_AUTHOR_KEYS: ReadonlySet<string> = new Set(
  ['created', 'authors', 'url', 'documentation', 'source', 'version', 'revision', 'vendor', 'licenses', 'title', 'description', 'base.digest', 'base.name'].map(
    k => `org.opencontainers.image.${k}`
  )
)

/** True when `key` is `ns` or lies under it (`ns.x`, `ns/x`). */
function inside(key: string, ns: string): boolean {
  return key === ns || key.startsWith(`${ns}.`) || key.startsWith(`${ns}/`)
}

/** The namespace of others that `keyOrPrefix` falls in, if any (case-insensitive: registries show keys as written). */
export function reservedNamespaceOf(keyOrPrefix: string): ReservedNamespace | undefined {
  const k = keyOrPrefix.toLowerCase()
  return RESERVED_NAMESPACES.find(ns => inside(k, ns.prefix))
}
