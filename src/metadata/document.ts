/**
 * Computing the document: a pure function of the CI context, the image and the user's fields.
 */
import { UsageError } from '../errors.js'
import { Annotation } from '../oci/media-types.js'
import type { CiContext } from './ci-context.js'
import { compact } from './git-refs.js'
import {
  METADATA_SCHEMA_VERSION,
  METADATA_SCHEMA_VERSION_PUBLIC,
  buildMetadataSchema,
  type BuildMetadata,
  type ImageFacts,
  type PrivatePart
} from './schema.js'

export type { ImageFacts }

export interface BuildDocumentArgs {
  ci: CiContext
  image: ImageFacts
  user?: Record<string, unknown>
  /** the private part, already encrypted (src/private/seal.ts): it makes the document version 2 */
  private?: PrivatePart
  created: Date
}

export function buildDocument(args: BuildDocumentArgs): BuildMetadata {
  const { ci, image, user, created } = args
  const sealed = args.private
  if (Number.isNaN(created.getTime())) throw new UsageError('the creation time is not a valid date')
  const createdAt = created.toISOString()
  const doc = {
    // the lowest version that describes it: 1 without a private part (src/metadata/schema.ts)
    schemaVersion: sealed ? METADATA_SCHEMA_VERSION : METADATA_SCHEMA_VERSION_PUBLIC,
    created: createdAt,
    image: compact({
      original: image.original,
      registry: image.registry,
      repository: image.repository,
      name: image.name,
      tag: image.tag,
      digest: image.digest,
      mediaType: image.mediaType,
      size: image.size,
      platforms: image.platforms?.map(p => compact({ ...p }))
    }),
    source: compact({
      repository: ci.repository,
      url: urlOrUndefined(ci.repositoryUrl),
      commit: ci.commit,
      ref: ci.ref,
      refName: ci.refName,
      refType: ci.refType
    }),
    ci: compact({
      provider: ci.provider,
      serverUrl: urlOrUndefined(ci.serverUrl),
      event: ci.event,
      workflow: ci.workflow,
      workflowRef: ci.workflowRef,
      job: ci.job,
      jobId: ci.jobId,
      jobUrl: urlOrUndefined(ci.jobUrl),
      runId: ci.runId,
      runNumber: ci.runNumber,
      runAttempt: ci.runAttempt,
      runUrl: urlOrUndefined(ci.runUrl),
      actor: ci.actor,
      triggeringActor: ci.triggeringActor,
      runner: ci.runner ? { ...ci.runner } : undefined
    }),
    opencontainers: opencontainersAnnotations(ci, image, createdAt),
    ...(user && Object.keys(user).length > 0 ? { user: structuredClone(user) } : {}),
    ...(sealed ? { private: { ...sealed } } : {})
  }
  // registry is '' for an OCI layout and must survive compact()
  doc.image.registry = image.registry
  const parsed = buildMetadataSchema.safeParse(doc)
  if (!parsed.success) {
    const issues = parsed.error.issues.map(i => `${i.path.join('.') || '(document)'}: ${i.message}`).join('; ')
    throw new UsageError(`cannot build the metadata document for ${image.original}: ${issues}`)
  }
  return parsed.data
}

/**
 * The standard keys, named and derived as docker/metadata-action does
 * (https://github.com/docker/metadata-action#overwrite-labels-and-annotations):
 * source and url are the repository's web URL, revision the commit, version the tag or ref name.
 * https://github.com/opencontainers/image-spec/blob/v1.1.0/annotations.md#pre-defined-annotation-keys
 */
export function opencontainersAnnotations(ci: CiContext, image: Pick<ImageFacts, 'tag'>, created: string): Record<string, string> {
  const url = urlOrUndefined(ci.repositoryUrl)
  const out: Record<string, string | undefined> = {
    [Annotation.Created]: created,
    [Annotation.Source]: url,
    [Annotation.Url]: url,
    [Annotation.Revision]: ci.commit,
    [Annotation.Version]: versionOf(ci, image.tag),
    [Annotation.RefName]: image.tag,
    [Annotation.Title]: ci.repository?.split('/').pop(),
    [Annotation.Description]: ci.description,
    [Annotation.Licenses]: ci.license
  }
  return compact(out) as Record<string, string>
}

/**
 * The version, in docker/metadata-action's order of preference: a git tag's name; else the image tag
 * unless it is the moving `latest`; else `pr-<number>` for a pull request; else the branch name made
 * tag-safe (metadata-action replaces every run of other characters with `-`).
 */
export function versionOf(ci: CiContext, imageTag: string | undefined): string | undefined {
  if (ci.refType === 'tag' && ci.refName) return ci.refName
  if (imageTag && imageTag !== 'latest') return imageTag
  if (ci.refType === 'pull' && ci.pullRequest !== undefined) return `pr-${ci.pullRequest}`
  if (ci.refType === 'branch' && ci.refName) return ci.refName.replace(/[^a-zA-Z0-9._-]+/g, '-')
  return imageTag
}

function urlOrUndefined(s: string | undefined): string | undefined {
  if (!s) return undefined
  try {
    const u = new URL(s)
    return u.protocol === 'https:' || u.protocol === 'http:' ? s : undefined
  } catch {
    return undefined
  }
}
