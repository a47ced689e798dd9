/**
 * The build metadata document, versions 1 and 2: zod schemas, exported as JSON Schema to
 * `schema/build-metadata.v1.json` and `schema/build-metadata.v2.json` (a test keeps them equal) and
 * described field by field in `docs/metadata.md`.
 *
 * Versioning: `schemaVersion` is a literal. A change that a reader of the older version could misread
 * or would refuse makes a new version; readers accept every version up to their own and refuse newer
 * ones, naming both (see codec.ts). Objects are strict so that a typo in a producer fails here, not in
 * a consumer; only `user` (free-form by design) and `opencontainers` (a map) are open.
 *
 * Version 2 is version 1 plus one optional field, `private` (a part encrypted with age for named
 * readers). Because objects are closed, a v1 reader refuses a document with a field it does not know:
 * adding it under version 1 would make every v1 reader fail on such a document with a schema error
 * instead of the version message. So a writer writes the lowest version that describes the document:
 * 1 without a private part (byte for byte what it wrote before), 2 with one — and a v1 reader says
 * "metadata version 2 is newer than this tool reads (1): upgrade".
 */
import { z } from 'zod'
import { DIGEST_PATTERN } from '../oci/digest.js'

/** The newest version this tool reads and writes. */
export const METADATA_SCHEMA_VERSION = 2
/** The version of a document without a private part. */
export const METADATA_SCHEMA_VERSION_PUBLIC = 1

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

/** The fields of every version; a version adds its own `schemaVersion` (and, from 2, `private`). */
const documentFields = {
  created: timestamp.describe('when the metadata was made (SOURCE_DATE_EPOCH when set)'),
  image: imageSchema,
  source: sourceSchema,
  ci: ciSchema,
  opencontainers: opencontainersSchema.describe('standard org.opencontainers.image.* keys, as docker/metadata-action names them'),
  user: z.record(z.string(), z.unknown()).optional().describe('fields given by the user (`metadata` / `metadata-file`)')
}

/** The age envelope of the private part: its own version, so that how it is sealed can change without a new document version. */
export const PRIVATE_PART_VERSION = 1
/** ASCII-armored age (age-encryption.org/v1), as `age --armor` writes it: any age implementation reads it. */
export const AGE_ARMOR = /^-----BEGIN AGE ENCRYPTED FILE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END AGE ENCRYPTED FILE-----\r?\n?$/

export const privatePartSchema = z
  .strictObject({
    version: z.literal(PRIVATE_PART_VERSION),
    format: z.literal('age'),
    ciphertext: z.string().regex(AGE_ARMOR).describe('the private fields as canonical JSON, encrypted with age for the recipients given, ASCII-armored')
  })
  .describe('fields only the named recipients can read (`private` / `private-file`, encrypted for `recipients`)')

export const buildMetadataSchemaV1 = z.strictObject({ schemaVersion: z.literal(1), ...documentFields }).meta({
  title: 'oci-build-metadata build metadata, schema version 1',
  description: 'Build facts attached to an OCI image by oci-build-metadata. Field reference: docs/metadata.md'
})

export const buildMetadataSchemaV2 = z.strictObject({ schemaVersion: z.literal(2), ...documentFields, private: privatePartSchema.optional() }).meta({
  title: 'oci-build-metadata build metadata, schema version 2',
  description:
    'Build facts attached to an OCI image by oci-build-metadata: version 1 and a part encrypted for named readers (private). Field reference: docs/metadata.md'
})

/** Every version this tool reads, by `schemaVersion`. */
export const buildMetadataSchema = z.discriminatedUnion('schemaVersion', [buildMetadataSchemaV1, buildMetadataSchemaV2])

/** The published JSON Schema of each version (schema/build-metadata.v<N>.json). */
export const SCHEMAS_BY_VERSION = { 1: buildMetadataSchemaV1, 2: buildMetadataSchemaV2 } as const

export type BuildMetadata = z.infer<typeof buildMetadataSchema>
export type PrivatePart = z.infer<typeof privatePartSchema>
export type ImageFacts = z.infer<typeof imageSchema>
export type RefType = (typeof REF_TYPES)[number]
export type CiProvider = (typeof CI_PROVIDERS)[number]

/** The private part of a document, if it has one (version 2 and later). */
export function privatePartOf(doc: BuildMetadata): PrivatePart | undefined {
  return doc.schemaVersion >= 2 ? (doc as z.infer<typeof buildMetadataSchemaV2>).private : undefined
}
