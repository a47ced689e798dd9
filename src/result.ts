/**
 * What run() returns, one type per command (a discriminated union on `command`), and what it
 * depends on. src/report/ turns a result, or a failure, into the outputs, the job summary, the CLI
 * text and --json: the commands never format.
 */
import type { Command, Inputs, Mode } from './inputs.js'
import type { Logger } from './log.js'
import type { BuildMetadata } from './metadata/schema.js'
import type { ImageRef } from './oci/reference.js'
import type { Target } from './oci/target.js'
import type { Descriptor } from './oci/types.js'
import type { RequirementKeyword } from './verify/requirements.js'

/** What attach writes: the gate's keywords but `signature` and `private` (a part of the metadata) (src/verify/requirements.ts). */
export type AttachmentKind = Exclude<RequirementKeyword, 'signature' | 'private'>

export interface RequirementResult {
  requirement: string
  found: boolean
  /** the referrer (digest and type) that satisfied it, in words */
  by?: string
  /** its digest: the evidence that passed */
  evidence?: string
  /** how that evidence was signed: `signed by …`, `unsigned`, `signed, signature not checked …` */
  signature?: string
  /** the other candidates, and why each was not taken */
  passedOver?: Array<{ by: string; reason: string }>
  /** who signed what satisfied it, when a signer was required */
  signedBy?: string
  /** one line: what was found, or what is missing and why */
  detail: string
  /** `policy`: a row of a CEL condition (the requirement is the expression; the detail says how it came out) */
  kind?: 'policy'
}

/** A referrer and the referrers of it (as `oras discover` nests them). */
export interface ReferrerNode {
  descriptor: Descriptor
  children: ReferrerNode[]
}

/** A platform manifest of an index, as discover shows it: BuildKit's attestations for it (inside the index), then its referrers. */
export interface PlatformNode {
  descriptor: Descriptor
  attestations: Descriptor[]
  referrers: ReferrerNode[]
}

export interface RunDeps {
  logger: Logger
  env: NodeJS.ProcessEnv
  cwd: string
  clock?: () => Date
  /** tests may inject a target (or a fault-injecting wrapper) */
  openTarget?: (ref: ImageRef, inputs: Inputs, logger: Logger) => Target
  /** wait after writing the referrers tag before the confirming read (see src/oci/tag-schema/writer.ts) */
  settleMs?: number
  /** get: the caller prints what was read when no `output` is given (the CLI does; the action cannot) */
  printsContent?: boolean
}

export interface Attachment {
  kind: AttachmentKind
  label: string
  digest: string
  artifactType: string
}

export interface GateRow extends RequirementResult {
  /** `index`, or the platform (`linux/amd64`) the row is about */
  scope: string
}

/** What every result names: the image as given, the manifest (or index) it resolved to, notes for the user. */
interface ResultBase {
  command: Command
  image: ImageRef
  subject: Descriptor
  /** warnings worth a line of their own in every report */
  notes: string[]
}

export interface AttachResult extends ResultBase {
  command: 'attach'
  mode: Mode
  /** artifact mode: the metadata artifact */
  artifactDigest?: string
  /** annotations mode: the new digest of the image, which carries the metadata */
  imageDigest?: string
  /** annotations mode: imageDigest differs from the subject's (the old digest's signatures and referrers do not follow it) */
  digestChanged: boolean
  /** annotations mode: where the tag moved (`tag v1 moved from … to …`), said first with the digest change */
  tagMove?: string
  metadata?: BuildMetadata
  annotations?: Record<string, string>
  attachments: Attachment[]
  referrers: Descriptor[]
  /** how referrers were read: api, tag-schema, scan */
  via?: string
  verified: boolean
  missing: string[]
  problems: string[]
}

export interface VerifyResult extends ResultBase {
  command: 'verify'
  metadata?: BuildMetadata
  annotations?: Record<string, string>
  /** the metadata artifact the document came from (artifact mode) */
  artifactDigest?: string
  /** the manifest that carries the document: the artifact, or the image itself (annotations mode) */
  metadataDigest?: string
  referrers: Descriptor[]
  via?: string
  gate: GateRow[]
  verified: boolean
  missing: string[]
  problems: string[]
}

export interface DiscoverResult extends ResultBase {
  command: 'discover'
  /** the subject's referrers, and theirs, to `depth` levels */
  tree: ReferrerNode[]
  /** an index: its platforms, each with BuildKit's attestations for it and its referrers */
  platforms: PlatformNode[]
  via?: string
  /** the artifactType filter given, if any */
  artifactType?: string
  depth: number
}

/** Where `get` found what it read. */
export interface Candidate {
  /** the manifest read: a referrer, a BuildKit attestation manifest in the index, or the image itself */
  descriptor: Descriptor
  source: 'referrer' | 'index-attestation' | 'annotations'
  /** `index`, `image`, or the platform (`linux/amd64`) it belongs to */
  scope: string
  artifactType?: string
  /** org.opencontainers.image.created, or the document's `created` for metadata */
  created?: string
  title?: string
}

export interface GetResult extends ResultBase {
  command: 'get'
  /** what was asked for: metadata, sbom, provenance, or an artifactType */
  kind: string
  /** what was read */
  picked: Candidate
  /** the blob (or document) read, digest-checked; `bytes` are exactly what was written to `output` */
  content: { mediaType: string; digest: string; size: number; bytes: Uint8Array }
  /** the file written, when `output` was given */
  output?: string
  /** the document, when metadata was read */
  metadata?: BuildMetadata
  /** the other candidates of that kind, not taken */
  others: Candidate[]
}

export type Result = AttachResult | VerifyResult | DiscoverResult | GetResult

/** The exit code a result ends with: attach and verify by their verdict; discover and get succeed when they return. */
export function exitCodeOf(r: Result): 0 | 1 {
  if (r.command === 'attach' || r.command === 'verify') return r.verified ? 0 : 1
  return 0
}

/** `linux/arm64/v8` for messages and gate rows. */
export function platformLabel(d: Descriptor): string {
  const p = d.platform
  return p ? `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}` : d.digest.slice(0, 19)
}
