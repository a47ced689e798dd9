/**
 * Public types of the in-process test registry. See index.ts for the entry point.
 */

export interface RecordedRequest {
  method: string
  /** the path without the query, percent-decoded */
  path: string
  query: Record<string, string>
  headers: Record<string, string | undefined>
  /** the status answered; 0 while pending or when the connection was reset */
  status: number
  /** which server received it: the registry (token endpoint included, at `/token`) or the redirect target */
  origin: 'registry' | 'redirect'
}

export interface Fault {
  /** default: any request. `path` is tested against the decoded path without the query */
  match?: { method?: string; path?: RegExp }
  /** how many matching requests it hits (default 1) */
  times?: number
  /** answer this instead of serving */
  status?: number
  headers?: Record<string, string>
  body?: string
  /** destroy the socket (after reading part of the request body if any) */
  resetConnection?: boolean
  /** wait before answering (then serve normally unless status given) */
  delayMs?: number
  /** serve normally but cut the body in half (Content-Length of the full one) */
  truncateBody?: boolean
  /** serve normally but flip a byte of the body (digest mismatch) */
  corruptBody?: boolean
}

export interface TestRegistryOptions {
  /** default true; false → 404 on /referrers/ like distribution, and no OCI-Subject */
  referrersApi?: boolean
  /** default = referrersApi; send OCI-Subject on manifest PUT with subject */
  subjectHeader?: boolean
  /** default true; false → ignore ?artifactType= and omit OCI-Filters-Applied */
  honourArtifactTypeFilter?: boolean
  /** referrers descriptors drop annotations and report config.mediaType as artifactType */
  nonCompliantReferrers?: boolean
  /** default 0 = no pagination; else Link: <...>; rel="next" */
  referrersPageSize?: number
  /** the referrers Link with rel=next unquoted */
  unquotedLinkRel?: boolean
  /** Bearer: `anonymousPull` lets the token endpoint give pull-only tokens without credentials */
  auth?: { kind: 'basic' | 'bearer'; username: string; password: string; tokenTtlSeconds?: number; anonymousPull?: boolean }
  /** blob GETs answer 307 to a second server (other port = other origin) that serves the bytes */
  redirectBlobs?: boolean
  /** default 4 MiB; larger PUT → 400 MANIFEST_INVALID (like distribution) */
  maxManifestBytes?: number
  /**
   * Fault, off by default: the referrers index is a non-atomic read-modify-write inside the registry
   * (read the subject's list, wait `windowMs`, write it back with the new manifest), so manifests of
   * one subject pushed at once lose each other's entries; the API lists what the index holds.
   * See referrers-index.ts.
   */
  racyReferrersIndex?: { windowMs: number }
}

export interface TestRegistry {
  /** http://127.0.0.1:PORT */
  url: string
  /** 127.0.0.1:PORT */
  host: string
  /** every request, in order of arrival (token endpoint and redirect target included; see `origin`) */
  requests: RecordedRequest[]
  /** requests the redirect target received (to assert no Authorization arrived) */
  redirectRequests: RecordedRequest[]
  /** token endpoint requests (scope, service, Authorization) */
  tokenRequests: RecordedRequest[]
  addFault(f: Fault): void
  clearFaults(): void
  resetRequests(): void
  /** direct access for arranging state without HTTP (no validation): returns the digest */
  putBlob(repo: string, bytes: Uint8Array): string
  putManifest(repo: string, bytes: Uint8Array, mediaType: string, tag?: string): string
  getManifest(repo: string, ref: string): { bytes: Uint8Array; mediaType: string } | undefined
  tags(repo: string): string[]
  close(): Promise<void>
}
