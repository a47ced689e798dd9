/**
 * What run() returns and what it depends on; shared by the commands and the reports.
 */
import type { Inputs } from './inputs.js'
import type { Logger } from './log.js'
import type { BuildMetadata } from './metadata/schema.js'
import type { ImageRef } from './oci/reference.js'
import type { Target } from './oci/target.js'
import type { Descriptor } from './oci/types.js'
import type { RequirementKeyword } from './verify/requirements.js'

/** What attach writes: the gate's keywords but `signature` (src/verify/requirements.ts). */
export type AttachmentKind = Exclude<RequirementKeyword, 'signature'>

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
}

export interface ReferrerNode {
  descriptor: Descriptor
  /**
   * absent: a referrer of its parent; `platform`: a platform manifest of the index; `attestation`:
   * BuildKit's attestation for that platform, inside the index
   */
  relation?: 'platform' | 'attestation'
  children: ReferrerNode[]
}

export interface RunDeps {
  logger: Logger
  env: NodeJS.ProcessEnv
  cwd: string
  clock?: () => Date
  /** tests may inject a target (or a fault-injecting wrapper) */
  openTarget?: (ref: ImageRef, inputs: Inputs, logger: Logger) => Target
  /** wait after writing the referrers tag before the confirming read (see src/oci/fallback.ts) */
  settleMs?: number
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

export interface Result {
  command: Inputs['command']
  mode: Inputs['mode']
  image: ImageRef
  subject: Descriptor
  /** artifact mode: the metadata artifact */
  artifactDigest?: string
  /** annotations mode: the new digest of the image */
  imageDigest?: string
  digestChanged: boolean
  metadata?: BuildMetadata
  annotations?: Record<string, string>
  attachments: Attachment[]
  referrers: Descriptor[]
  /** how referrers were read: api, tag-schema, scan */
  via?: string
  verified: boolean
  gate: GateRow[]
  missing: string[]
  problems: string[]
  notes: string[]
  tree?: ReferrerNode[]
}

export function baseResult(inputs: Inputs, ref: ImageRef, subject: Descriptor): Result {
  return {
    command: inputs.command,
    mode: inputs.mode,
    image: ref,
    subject,
    digestChanged: false,
    attachments: [],
    referrers: [],
    verified: false,
    gate: [],
    missing: [],
    problems: [],
    notes: []
  }
}

/** `linux/arm64/v8` for messages and gate rows. */
export function platformLabel(d: Descriptor): string {
  const p = d.platform
  return p ? `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}` : d.digest.slice(0, 19)
}
