/**
 * One target interface for a remote registry and an OCI image layout (after oras-go's `Target` and
 * regclient's scheme interface). Attach, verify and the gate talk only to this.
 */
import type { Descriptor, ManifestBlob } from './types.js'
import type { ImageRef } from './reference.js'

/** Whether the registry serves `GET /v2/<name>/referrers/<digest>` (oras-go's state machine). */
export type ReferrersCapability = 'unknown' | 'supported' | 'unsupported'

export interface PushManifestResult {
  /** descriptor of the bytes as pushed (digest computed locally, checked against the registry's answer) */
  descriptor: Descriptor
  /** the registry answered with `OCI-Subject` equal to the subject: it indexes referrers itself */
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

export interface ListReferrersOptions {
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
 * What a target can do, declared rather than guessed from which methods it has (as oras-go's
 * `ReferrerLister`, `Deleter`, … are separate interfaces).
 */
export interface Capabilities {
  /**
   * Who indexes referrers: `store` — the target itself as it stores a manifest with `subject` (an OCI
   * layout, which also keeps the tag schema for other tools); `registry` — a registry, which does so
   * when it serves the referrers API (OCI-Subject, then a listing confirms), else a client must keep
   * the referrers tag schema.
   */
  readonly referrersIndexedBy: 'store' | 'registry'
  /** `deleteManifest` works (a registry's DELETE, a layout unlisting) */
  readonly deletesManifests: boolean
}

export interface Target {
  readonly ref: ImageRef
  readonly capabilities: Capabilities
  /** the repository or layout, for messages: `localhost:5000/app`, `oci:/tmp/layout` */
  describe(): string

  /** tag, digest or descriptor → the exact bytes, verified against the digest, at most 4 MiB */
  fetchManifest(reference: string | Descriptor): Promise<ManifestBlob>
  manifestExists(digest: string): Promise<boolean>
  /**
   * Store manifest bytes exactly as given; by digest when `tag` is absent, else under `tag`.
   * Refuses more than 4 MiB before sending.
   */
  pushManifest(bytes: Uint8Array, mediaType: string, tag?: string): Promise<PushManifestResult>

  blobExists(digest: string): Promise<boolean>
  /** whole blob, verified against its digest; refuses blobs over `maxBytes` */
  fetchBlob(descriptor: Descriptor, maxBytes?: number): Promise<Uint8Array>
  /** upload unless present; streams files; returns the blob's descriptor */
  pushBlob(source: BlobSource, opts?: PushBlobOptions): Promise<Descriptor>

  /** 'supported' or 'unsupported' after a ping (remote); always 'unsupported' for a layout */
  referrersCapability(): Promise<ReferrersCapability>
  /** referrers of `subject` through the API, else the tag schema (remote), or by scanning (layout) */
  listReferrers(subject: Descriptor, opts?: ListReferrersOptions): Promise<ReferrersListing>

  /** remove (registry) or unlist (layout) a manifest, when `capabilities.deletesManifests` */
  deleteManifest(digest: string): Promise<void>
  /** record what a push revealed about the referrers API (`OCI-Subject` or not); a store that indexes its own ignores it */
  noteReferrersCapability(c: 'supported' | 'unsupported'): void
  /**
   * Restart the deadline of retries and waits: `ms` from now, named `label` in messages (reads after
   * writes use verify-timeout). A target that does not retry (a layout) has none to restart.
   */
  restartDeadline(ms: number, label: string): void
}
