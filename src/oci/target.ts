/**
 * The target interface for a remote registry and an OCI image layout, made of small interfaces
 * (after oras-go's `Fetcher`, `Pusher`, `ReferrerLister`, `Deleter`): each caller takes the
 * narrowest one it needs, and `Target` composes them. Every member is implemented by both
 * implementations; what differs between them (a layout neither retries nor waits; a registry may
 * leave referrers to the client) is an option of a call or a finding in a result, never a member
 * that one of them leaves empty.
 */
import type { Descriptor, ManifestBlob } from './types.js'
import type { ImageRef } from './reference.js'

/** Whether the registry serves `GET /v2/<name>/referrers/<digest>` (oras-go's state machine). */
export type ReferrersCapability = 'unknown' | 'supported' | 'unsupported'

export interface PushManifestResult {
  /** descriptor of the bytes as pushed (digest computed locally, checked against the registry's answer) */
  descriptor: Descriptor
  /** the registry answered with `OCI-Subject` equal to the subject: it says it indexes referrers itself */
  subjectAccepted: boolean
}

/** Blob content: in memory (small) or a file streamed from disk (SBOMs of hundreds of MiB). */
export type BlobSource =
  | { bytes: Uint8Array }
  | {
      path: string
      /** when already known (hashed once while detecting), saves a second pass */
      digest?: string
      size?: number
    }

export interface PushBlobOptions {
  mediaType?: string
}

/** A time budget: `ms` from `startedAt` (ms since 1970), named `label` in messages (`verify-timeout`). */
export interface TimeBudget {
  label: string
  ms: number
  startedAt: number
}

export interface ReadOptions {
  /**
   * When this call's retries and waits must end (reads after writes: verify-timeout from the start
   * of the read-back); default the target's own deadline. A layout neither retries nor waits.
   */
  deadline?: TimeBudget
}

export interface ListReferrersOptions extends ReadOptions {
  /** only referrers of this artifactType (server-side where the API applies the filter) */
  artifactType?: string
}

export interface ReferrersListing {
  /** descriptors as the source returned them (after client-side filtering); may be incomplete (registries drop annotations, report config.mediaType) */
  descriptors: Descriptor[]
  /** where they came from */
  via: 'api' | 'tag-schema' | 'scan'
  /** the server applied the artifactType filter (`OCI-Filters-Applied: artifactType`) */
  filtersApplied: boolean
}

/**
 * Who keeps a subject's referrers findable: a registry's referrers API, a layout (which finds them
 * by scanning, and keeps the tag schema for other tools too), or the referrers tag schema that this
 * client keeps for a registry without the API.
 */
export type IndexedBy = 'registry' | 'layout' | 'tag-schema'

/** A referrer manifest to push: its exact bytes and its descriptor (artifactType and annotations included). */
export interface ReferrerManifest {
  bytes: Uint8Array
  descriptor: Descriptor
}

export interface PushReferrersOptions extends ReadOptions {
  /**
   * Which entries a newer attempt of their writer supersedes (src/attach/identity.ts): where the
   * target keeps the tag schema they are taken out of it. A function of the entries only, monotone.
   */
  superseded?: (entries: Descriptor[]) => Set<string>
  /** the tag-schema writer's wait before its confirming read (src/oci/tag-schema/writer.ts); tests shorten it */
  settleMs?: number
}

export interface PushedReferrers {
  indexedBy: IndexedBy
  /** the listing read after the pushes that shows them (the API's, the tag-schema index as confirmed, a layout's scan) */
  listing: ReferrersListing
}

/** What every target says about itself, for messages. */
export interface Described {
  /** the repository or layout: `localhost:5000/app`, `oci:/tmp/layout` */
  describe(): string
}

export interface Reader extends Described {
  /** tag, digest or descriptor → the exact bytes, verified against the digest, at most 4 MiB */
  fetchManifest(reference: string | Descriptor, opts?: ReadOptions): Promise<ManifestBlob>
  manifestExists(digest: string): Promise<boolean>
  /** whole blob, verified against its digest; refuses blobs over `maxBytes` */
  fetchBlob(descriptor: Descriptor, maxBytes?: number): Promise<Uint8Array>
}

export interface Pusher extends Described {
  /** upload unless present; streams files; returns the blob's descriptor */
  pushBlob(source: BlobSource, opts?: PushBlobOptions): Promise<Descriptor>
  /**
   * Store manifest bytes exactly as given; by digest when `tag` is absent, else under `tag`.
   * Refuses more than 4 MiB before sending.
   */
  pushManifest(bytes: Uint8Array, mediaType: string, tag?: string): Promise<PushManifestResult>
}

export interface ReferrerLister extends Described {
  /** referrers of `subject` through the API, else the tag schema (remote), or by scanning (layout) */
  listReferrers(subject: Descriptor, opts?: ListReferrersOptions): Promise<ReferrersListing>
}

/**
 * Pushing referrers and keeping them findable (oras-go's `pushWithIndexing`, regclient's
 * `referrerPut`): how — the referrers API, the tag schema with its never-lose protocol, a layout's
 * own index — is the target's business.
 */
export interface ReferrerPusher extends Described {
  /**
   * Push referrer manifests of `subject` (their blobs pushed already) and keep them findable; returns
   * who does and the listing that shows them. On a failure every started push is waited for, then
   * the first error is thrown, and nothing is indexed.
   */
  pushReferrers(subject: Descriptor, manifests: ReferrerManifest[], opts?: PushReferrersOptions): Promise<PushedReferrers>
  /**
   * Make manifests already stored (BuildKit's attestations inside an image index, which their
   * builder lists nowhere else) findable as referrers of `subject`. Only where the target keeps the
   * tag schema does it ask `referrers` for their descriptors and list them in it; a target that
   * indexes referrers itself finds them already and does not ask. Returns who indexes them.
   */
  indexReferrers(subject: Descriptor, referrers: () => Promise<Descriptor[]>, opts?: PushReferrersOptions): Promise<IndexedBy>
}

export interface Deleter extends Described {
  /** remove (registry) or unlist (layout) a manifest */
  deleteManifest(digest: string): Promise<void>
}

export interface Target extends Reader, Pusher, ReferrerLister, ReferrerPusher, Deleter {
  readonly ref: ImageRef
}
