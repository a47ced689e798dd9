/**
 * OCI types and the zod schemas that parse what registries and layouts return.
 * https://github.com/opencontainers/image-spec/blob/v1.1.0/descriptor.md
 * https://github.com/opencontainers/image-spec/blob/v1.1.0/manifest.md
 * https://github.com/opencontainers/image-spec/blob/v1.1.0/image-index.md
 */
import { z } from 'zod'
import { OciError } from '../errors.js'
import { DIGEST_PATTERN } from './digest.js'
import { MediaType } from './media-types.js'

/** RFC 6838 type/subtype, as the descriptor spec requires; parameters are tolerated when reading. */
const MEDIA_TYPE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(\s*;.*)?$/

export const mediaTypeSchema = z.string().regex(MEDIA_TYPE_PATTERN, 'not a media type')
export const digestSchema = z.string().regex(DIGEST_PATTERN, 'not a digest')
export const annotationsSchema = z.record(z.string(), z.string())

export const platformSchema = z.object({
  architecture: z.string(),
  os: z.string(),
  'os.version': z.string().optional(),
  'os.features': z.array(z.string()).optional(),
  variant: z.string().optional(),
  features: z.array(z.string()).optional()
})

export const descriptorSchema = z
  .object({
    mediaType: mediaTypeSchema,
    digest: digestSchema,
    size: z.number().int().nonnegative(),
    urls: z.array(z.string()).optional(),
    annotations: annotationsSchema.optional(),
    data: z.string().optional(),
    platform: platformSchema.optional(),
    artifactType: mediaTypeSchema.optional()
  })
  .loose()

export const imageManifestSchema = z
  .object({
    schemaVersion: z.literal(2),
    mediaType: mediaTypeSchema.optional(),
    artifactType: mediaTypeSchema.optional(),
    config: descriptorSchema,
    layers: z.array(descriptorSchema),
    subject: descriptorSchema.optional(),
    annotations: annotationsSchema.optional()
  })
  .loose()

export const imageIndexSchema = z
  .object({
    schemaVersion: z.literal(2),
    mediaType: mediaTypeSchema.optional(),
    artifactType: mediaTypeSchema.optional(),
    manifests: z.array(descriptorSchema),
    subject: descriptorSchema.optional(),
    annotations: annotationsSchema.optional()
  })
  .loose()

export type Descriptor = z.infer<typeof descriptorSchema>
export type ImageManifest = z.infer<typeof imageManifestSchema>
export type ImageIndex = z.infer<typeof imageIndexSchema>
export type Manifest = ImageManifest | ImageIndex

export function isIndex(m: Manifest): m is ImageIndex {
  return Array.isArray((m as ImageIndex).manifests)
}

/** Bytes of a manifest as fetched or pushed, with the descriptor that addresses them. */
export interface ManifestBlob {
  descriptor: Descriptor
  bytes: Uint8Array
}

/**
 * Parse manifest or index bytes. The bytes are never re-serialized by the caller: this returns a view
 * for reading; the bytes stay the source of truth (image-spec v1.1.0, descriptor.md#digests).
 */
export function parseManifest(bytes: Uint8Array, what = 'manifest'): Manifest {
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch (e) {
    throw new OciError('INVALID_RESPONSE', `${what} is not valid JSON`, { cause: e })
  }
  const schema = hasIndexShape(json) ? imageIndexSchema : imageManifestSchema
  const parsed = schema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue?.path.length ? issue.path.join('.') : '(root)'
    throw new OciError('INVALID_RESPONSE', `${what} is malformed at ${where}: ${issue?.message ?? 'invalid'}`)
  }
  return parsed.data as Manifest
}

/** An index has `manifests`; an image manifest has `config` and `layers` (image-spec v1.1.0, image-index.md). */
function hasIndexShape(json: unknown): boolean {
  return typeof json === 'object' && json !== null && 'manifests' in json
}

/**
 * The media type a manifest declares, or the one its shape implies: the one rule for a manifest
 * read without a trustworthy Content-Type (remote/manifests.ts) and for a parsed one (a layout).
 */
export function declaredMediaType(json: unknown): string {
  const declared = (json as { mediaType?: unknown } | null)?.mediaType
  if (typeof declared === 'string' && declared) return declared
  return hasIndexShape(json) ? MediaType.ImageIndex : MediaType.ImageManifest
}

/** The media type a manifest declares, or the one implied by its shape. */
export function manifestMediaType(m: Manifest): string {
  return declaredMediaType(m)
}

/** Strip a descriptor to the fields the spec defines (drops `data` unless asked). */
export function cleanDescriptor(d: Descriptor, keepData = false): Descriptor {
  const out: Descriptor = { mediaType: d.mediaType, digest: d.digest, size: d.size }
  if (d.artifactType) out.artifactType = d.artifactType
  if (d.annotations && Object.keys(d.annotations).length) out.annotations = { ...d.annotations }
  if (d.platform) out.platform = d.platform
  if (d.urls) out.urls = d.urls
  if (keepData && d.data) out.data = d.data
  return out
}
