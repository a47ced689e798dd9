/**
 * `attach`: precondition checks, planning, publishing and verifying what was written, in artifact
 * or annotations mode.
 */
import { describeError } from '../errors.js'
import type { Inputs } from '../inputs.js'
import type { Logger } from '../log.js'
import type { BuildMetadata } from '../metadata/schema.js'
import type { ImageRef } from '../oci/reference.js'
import type { Deleter, Pusher, Reader, Target } from '../oci/target.js'
import type { Descriptor } from '../oci/types.js'
import { resolveSubject, type Subject } from '../image-reader/resolve-subject.js'
import { platformLabel, type AttachResult, type RunDeps } from '../result.js'
import { metadataPredicate, metadataStatement, statementBytes } from '../sbom-provenance/metadata-statement.js'
import { buildProvenance, provenanceBytes, type InTotoStatementV1 } from '../sbom-provenance/provenance.js'
import { annotateManifest } from './annotations.js'
import { listBuildKitAttestations } from './buildkit-listing.js'
import { checkAnnotated, checkAttached } from './check.js'
import { skipAttached } from './dedupe.js'
import { supersededBy } from './identity.js'
import { guardTag, tagMoveLine } from './tag-guard.js'
import { planBundle, planMetadata, planProvenance, planSbom, type PlanContext } from './plan.js'
import { documentFor, prepare, type Prepared, type Signing } from './prepare.js'
import { publish, type PlannedArtifact } from './publish.js'

/** Sign the metadata statement (and the provenance) before anything is written; each bundle is a plan. */
async function signedPlans(
  doc: BuildMetadata,
  provenance: InTotoStatementV1 | undefined,
  signing: Signing,
  ctx: PlanContext,
  logger: Logger
): Promise<PlannedArtifact[]> {
  return logger.group('Signing', async () => {
    const statements: Array<{ kind: 'metadata' | 'provenance'; label: string; bytes: Uint8Array; predicateType: string }> = [
      { kind: 'metadata', label: 'metadata statement', bytes: statementBytes(metadataStatement(doc)), predicateType: metadataPredicate(doc) }
    ]
    if (provenance)
      statements.push({ kind: 'provenance', label: 'provenance statement', bytes: provenanceBytes(provenance), predicateType: provenance.predicateType })
    const { signStatements } = await import('../sign/sigstore-sign.js')
    const bundles = await signStatements(statements, signing.endpoints, signing.tokens)
    for (const st of statements) logger.info(`signed the ${st.label} (${st.predicateType})`)
    return statements.map((st, i) => planBundle(st.kind, bundles[i]!, st.predicateType, ctx))
  })
}

export async function attachCommand(target: Target, ref: ImageRef, inputs: Inputs, deps: RunDeps): Promise<AttachResult> {
  const { logger } = deps
  // preconditions: everything that can be wrong with the input is found before the first write
  const prepared = await prepare(inputs, deps)
  const subject = await logger.group(`Resolving ${ref.original}`, () => resolveSubject(target, ref, inputs.digest))
  logger.info(`subject ${subject.descriptor.digest} (${subject.descriptor.mediaType}, ${subject.descriptor.size} bytes)`)
  const result: AttachResult = {
    command: 'attach',
    mode: inputs.mode,
    image: ref,
    subject: subject.descriptor,
    digestChanged: false,
    attachments: [],
    referrers: [],
    verified: false,
    missing: [],
    problems: [],
    notes: []
  }
  if (inputs.mode === 'annotations') return annotationsMode(target, ref, inputs, deps, subject, documentFor(prepared, ref, subject, subject.descriptor), result)

  // platforms: each → metadata on the index and on every platform manifest (each describes its own
  // digest); SBOMs and provenance describe the build, so they go on the index once, and the gate
  // counts what the index carries for every platform in it
  await attachTo(target, ref, inputs, deps, prepared, subject, subject.descriptor, undefined, result)
  if (inputs.platforms === 'each') for (const p of subject.platforms) await attachTo(target, ref, inputs, deps, prepared, subject, p, p, result)
  // where the target keeps the tag schema, BuildKit's attestations are listed in it too
  if (subject.indexAttestations.length) await listBuildKitAttestations(target, subject, deps, logger)
  result.verified = result.problems.length === 0
  return result
}

/** Plan, sign, publish and verify what goes on one subject (the image, or one platform of it); into `result`. */
async function attachTo(
  target: Target,
  ref: ImageRef,
  inputs: Inputs,
  deps: RunDeps,
  p: Prepared,
  subject: Subject,
  s: Descriptor,
  platform: Descriptor | undefined,
  result: AttachResult
): Promise<void> {
  const { logger } = deps
  const scope = platform ? platformLabel(platform) : ''
  const ctx: PlanContext = {
    subject: s,
    prefix: inputs.annotationPrefix,
    userAnnotations: inputs.annotations,
    created: p.created.toISOString(),
    writer: p.writer
  }
  const doc = documentFor(p, ref, subject, s, platform)
  const meta = planMetadata(doc, ctx)
  const plans: PlannedArtifact[] = [meta.plan]
  if (!platform) {
    for (const sb of p.sboms) plans.push(planSbom(sb, ctx))
    const provenance = inputs.provenance
      ? buildProvenance({ subjectName: ref.name, subjectDigest: s.digest, ci: p.ci, ...(p.githubRun ? { github: p.githubRun } : {}) })
      : undefined
    // signed, the provenance is attached as its bundle only (the bundle holds the statement)
    if (provenance && !p.signing) plans.push(planProvenance(provenance, ctx).plan)
    if (p.signing) plans.push(...(await signedPlans(doc, provenance, p.signing, ctx, logger)))
  }
  const { toWrite, all, pub } = await logger.group(`Attaching to ${scope || ref.original}${scope ? '' : ` (${s.digest})`}`, async () => {
    // an SBOM or provenance this writer already attached is not attached again (src/attach/dedupe.ts)
    const split = await skipAttached(target, s, plans, inputs.annotationPrefix, logger)
    const published = await publish(target, s, split.toWrite, {
      prefix: inputs.annotationPrefix,
      ...(deps.settleMs !== undefined ? { settleMs: deps.settleMs } : {})
    })
    for (const x of split.toWrite) logger.info(`pushed ${x.label}: ${x.built.descriptor.digest} (${x.built.descriptor.artifactType})`)
    return { ...split, pub: published }
  })
  const check = await logger.group(`Verifying ${scope || ref.original}`, () =>
    checkAttached(target, s, all, {
      timeoutMs: inputs.verifyTimeoutSeconds * 1000,
      prefix: inputs.annotationPrefix,
      logger,
      listing: pub.listing
    })
  )
  if (!platform) {
    result.metadata = doc
    result.annotations = meta.annotations
    result.artifactDigest = meta.plan.built.descriptor.digest
    result.referrers = check.referrers
    if (check.via) result.via = check.via
    result.attachments = all.map(x => ({
      kind: x.kind,
      label: x.label,
      digest: x.built.descriptor.digest,
      artifactType: x.built.descriptor.artifactType as string
    }))
  } else {
    result.attachments.push({
      kind: 'metadata',
      label: `metadata ${scope}`,
      digest: meta.plan.built.descriptor.digest,
      artifactType: meta.plan.built.descriptor.artifactType as string
    })
  }
  result.problems.push(...check.problems.map(x => (scope ? `${scope}: ${x}` : x)))
  result.missing.push(...check.unverified.map(k => (scope ? `${k}@${scope}` : k)))
  // the tag schema dropped them as it wrote ours (src/oci/tag-schema/writer.ts)
  if (check.verified && pub.indexedBy !== 'tag-schema') await removeSuperseded(target, check.referrers, toWrite, inputs.annotationPrefix, logger)
}

/**
 * Where the registry (or layout) lists referrers itself, this writer's own artifacts of an earlier
 * attempt stay listed: delete them (best effort). Only its own: same key, lower attempt.
 */
async function removeSuperseded(target: Deleter, listed: Descriptor[], plans: PlannedArtifact[], prefix: string, logger: Logger): Promise<void> {
  const old = supersededBy(
    plans.map(p => p.built.descriptor),
    listed,
    prefix
  )
  for (const digest of old) {
    try {
      await target.deleteManifest(digest)
      logger.info(`removed ${digest}: this writer's artifact of an earlier attempt, superseded by this one`)
    } catch (e) {
      logger.warning(`could not remove ${digest}, this writer's artifact of an earlier attempt: ${describeError(e)}`)
    }
  }
}

async function annotationsMode(
  target: Reader & Pusher,
  ref: ImageRef,
  inputs: Inputs,
  deps: RunDeps,
  subject: Subject,
  doc: BuildMetadata,
  result: AttachResult
): Promise<AttachResult> {
  const { logger } = deps
  const annotated = annotateManifest(subject.bytes, subject.descriptor.mediaType, doc, { prefix: inputs.annotationPrefix, extra: inputs.annotations })
  const tag = ref.tag
  const after = annotated.descriptor.digest
  const tagBefore = await logger.group(`Writing annotations to ${ref.original}`, async () => {
    // a tag moves only forward: read it right before the push (src/attach/tag-guard.ts)
    const before = tag ? await guardTag(target, ref, tag, subject, { prefix: inputs.annotationPrefix, digestNamed: inputs.digest !== undefined }) : undefined
    await target.pushManifest(annotated.bytes, annotated.descriptor.mediaType, tag)
    if (tag && before) {
      result.tagMove = tagMoveLine(tag, before, after)
      logger.info(result.tagMove)
    }
    return before
  })
  result.metadata = doc
  result.annotations = annotated.annotations
  result.imageDigest = after
  // the reports say what this means, the tag's move first (src/report/notes.ts): one line for both
  result.digestChanged = after !== subject.descriptor.digest
  result.problems = await checkAnnotated(
    target,
    tag ?? after,
    { digest: after, documentDigest: annotated.documentDigest, ...(tagBefore ? { tag: tagBefore } : {}) },
    {
      timeoutMs: inputs.verifyTimeoutSeconds * 1000,
      prefix: inputs.annotationPrefix,
      logger
    }
  )
  result.verified = result.problems.length === 0
  return result
}
