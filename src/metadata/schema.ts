/**
 * The build metadata document, version 1: one zod schema, exported as JSON Schema to
 * `schema/build-metadata.v1.json` (a test keeps the two equal) and described field by field in
 * `docs/metadata.md`.
 *
 * Versioning: `schemaVersion` is a literal. A change that a v1 reader could misread (a renamed or
 * retyped field, a new required field) makes version 2; readers accept every version up to their own
 * and refuse newer ones (see codec.ts). Objects are strict so that a typo in a producer fails here,
 * not in a consumer; only `user` (free-form by design) and `opencontainers` (a map) are open.
 */
import { z } from 'zod'
import { DIGEST_PATTERN } from '../oci/digest.js'

export const METADATA_SCHEMA_VERSION = 1

/** RFC 3339 in UTC with a `Z` suffix, as `Date.prototype.toISOString` writes it. */
const timestamp = z.iso.datetime({ offset: false }).describe('RFC 3339 timestamp in UTC (`Z`)')
const digest = z.string().regex(DIGEST_PATTERN).describe('content digest, `<algorithm>:<hex>`')
const nonEmpty = z.string().min(1)

export const platformEntrySchema = z.strictObject({
  os: nonEmpty,
  architecture: nonEmpty,
  variant: nonEmpty.optional(),
  digest
})

export const imageSchema = z.strictObject({
  original: nonEmpty.describe('the reference exactly as given, tag included (`ghcr.io/acme/app:1.4`)'),
  registry: z.string().describe('normalized registry host, e.g. `docker.io`; empty for an OCI layout'),
  repository: nonEmpty.describe('repository path, e.g. `library/nginx`'),
  name: nonEmpty.describe('normalized name without tag or digest, e.g. `docker.io/library/nginx`'),
  tag: nonEmpty.optional(),
  digest: digest.describe('the resolved digest of the image manifest or index the metadata describes'),
  mediaType: nonEmpty,
  size: z.number().int().nonnegative(),
  platforms: z.array(platformEntrySchema).optional().describe('present when the image is an index')
})

export const REF_TYPES = ['branch', 'tag', 'pull', 'other'] as const

export const sourceSchema = z.strictObject({
  repository: nonEmpty.optional().describe('`owner/name` (GitHub) or project path (GitLab)'),
  url: z.url().optional().describe('web URL of the repository, credentials stripped'),
  commit: nonEmpty.optional().describe('full commit id the image was built from'),
  ref: nonEmpty.optional().describe('full git ref, e.g. `refs/heads/main`, `refs/tags/v1.2.3`'),
  refName: nonEmpty.optional().describe('short ref name, e.g. `main`, `v1.2.3`'),
  refType: z.enum(REF_TYPES).optional()
})

export const CI_PROVIDERS = ['github', 'gitlab', 'git', 'none'] as const

export const runnerSchema = z.strictObject({
  os: nonEmpty.optional(),
  arch: nonEmpty.optional(),
  environment: nonEmpty.optional().describe('e.g. `github-hosted`, `self-hosted`')
})

export const ciSchema = z.strictObject({
  provider: z.enum(CI_PROVIDERS),
  serverUrl: z.url().optional(),
  event: nonEmpty.optional(),
  workflow: nonEmpty.optional(),
  workflowRef: nonEmpty.optional(),
  job: nonEmpty.optional(),
  jobId: nonEmpty.optional(),
  jobUrl: z.url().optional(),
  runId: nonEmpty.optional(),
  runNumber: nonEmpty.optional(),
  runAttempt: nonEmpty.optional(),
  runUrl: z.url().optional(),
  actor: nonEmpty.optional(),
  triggeringActor: nonEmpty.optional(),
  runner: runnerSchema.optional()
})

/** Keys must be the standard ones: https://github.com/opencontainers/image-spec/blob/v1.1.0/annotations.md */
export const opencontainersSchema = z.record(z.string().regex(/^org\.opencontainers\.image\.[a-z.]+$/), z.string())

export const buildMetadataSchema = z
  .strictObject({
    schemaVersion: z.literal(METADATA_SCHEMA_VERSION),
    created: timestamp.describe('when the metadata was made (SOURCE_DATE_EPOCH when set)'),
    image: imageSchema,
    source: sourceSchema,
    ci: ciSchema,
    opencontainers: opencontainersSchema.describe('standard org.opencontainers.image.* keys, as docker/metadata-action names them'),
    user: z.record(z.string(), z.unknown()).optional().describe('fields given by the user (`metadata` / `metadata-file`)')
  })
  .meta({
    title: 'oci-build-metadata build metadata, schema version 1',
    description: 'Build facts attached to an OCI image by oci-build-metadata. Field reference: docs/metadata.md'
  })

export type BuildMetadata = z.infer<typeof buildMetadataSchema>
export type ImageFacts = z.infer<typeof imageSchema>
export type RefType = (typeof REF_TYPES)[number]
export type CiProvider = (typeof CI_PROVIDERS)[number]
