/**
 * `attach`: precondition checks, planning, publishing and verifying what was written, in artifact
 * or annotations mode.
 */
import { readFile } from 'node:fs/promises'
import { basename, resolve as resolvePath } from 'node:path'
import { UsageError, describeError } from '../errors.js'
import type { Inputs } from '../inputs.js'
import type { Logger } from '../log.js'
import { readCiContext, nowFromEnv, type CiContext } from '../metadata/context.js'
import { buildDocument } from '../metadata/document.js'
import type { BuildMetadata } from '../metadata/schema.js'
import { parseUserMetadata } from '../metadata/user.js'
import type { ImageRef } from '../oci/reference.js'
import type { Target } from '../oci/target.js'
import { updateFallbackIndex } from '../oci/fallback.js'
import { isIndex, parseManifest, type Descriptor } from '../oci/types.js'
import { baseResult, platformLabel, type Result, type RunDeps } from '../result.js'
import { expandSbomInputs, detectSbom, type DetectedSbom } from '../supply/sbom.js'
import { BUILD_METADATA_PREDICATE_V1, metadataStatement, statementBytes } from '../supply/metadata-statement.js'
import { buildProvenance, provenanceBytes, type InTotoStatementV1 } from '../supply/provenance.js'
import { signingEndpoints, type SigstoreEndpoints } from '../sign/instance.js'
import { tokenSource, type TokenSource } from '../sign/oidc.js'
import { checkAnnotated, checkAttached } from './check.js'
import { annotateManifest } from './annotations.js'
import { supersededBy, writerIdentity, type WriterIdentity } from './identity.js'
import { planBundle, planMetadata, planProvenance, planSbom, type PlanContext } from './plan.js'
import { publish, type PlannedArtifact } from './publish.js'
import { resolveSubject, type Subject } from '../read/subject.js'

/** Who this writer is (src/attach/identity.ts): what may replace what among the writers of one job. */
function writerOf(ci: CiContext, inputs: Inputs, sboms: DetectedSbom[]): WriterIdentity {
  return writerIdentity(ci, {
    ...(inputs.writerId !== undefined ? { writerId: inputs.writerId } : {}),
    ...(inputs.matrix !== undefined ? { matrix: inputs.matrix } : {}),
    defining: {
      ...(inputs.metadata !== undefined ? { metadata: inputs.metadata } : {}),
      ...(inputs.metadataFile !== undefined ? { metadataFile: inputs.metadataFile } : {}),
      annotations: inputs.annotations,
      sboms: sboms.map(s => basename(s.path)),
      provenance: inputs.provenance
    }
  })
}

async function readUserMetadata(inputs: Inputs, cwd: string): Promise<Record<string, unknown> | undefined> {
  let merged: Record<string, unknown> | undefined
  if (inputs.metadataFile) {
    const path = resolvePath(cwd, inputs.metadataFile)
    let text: string
    try {
      text = await readFile(path, 'utf8')
    } catch (e) {
      throw new UsageError(`metadata-file ${inputs.metadataFile} cannot be read (${(e as NodeJS.ErrnoException).code ?? describeError(e)})`, { hint: 'check the path' })
    }
    merged = parseUserMetadata(text, `metadata-file ${inputs.metadataFile}`)
  }
  if (inputs.metadata) merged = { ...(merged ?? {}), ...parseUserMetadata(inputs.metadata, 'input metadata') }
  return merged
}

export async function attachCommand(target: Target, ref: ImageRef, inputs: Inputs, deps: RunDeps): Promise<Result> {
  const { logger } = deps
  const clock = deps.clock ?? (() => new Date())
  // preconditions: everything that can be wrong with the input is found before the first write
  const { user, sboms, ci, created, signing } = await logger.group('Preparing', async () => {
    const user = await readUserMetadata(inputs, deps.cwd)
    const sboms: DetectedSbom[] = []
    for (const path of await expandSbomInputs(inputs.sbom, deps.cwd)) sboms.push(await detectSbom(path))
    const ci = await readCiContext({ env: deps.env, cwd: deps.cwd })
    const created = nowFromEnv(deps.env, clock)
    // signing: the OIDC token and the instance are settled here, before anything is read or written
    const signing = inputs.sign ? { tokens: tokenSource(deps.env), endpoints: signingEndpoints(inputs.sigstore, { provider: ci.provider, ...(ci.visibility ? { visibility: ci.visibility } : {}), ...(ci.serverUrl ? { serverUrl: ci.serverUrl } : {}) }) } : undefined
    if (signing) logger.info(`signing with Sigstore's ${signing.endpoints.instance} instance (${signing.endpoints.fulcioURL}): ${signing.endpoints.why}; the OIDC token comes from ${signing.tokens.from}`)
    return { user, sboms, ci, created, signing }
  })
  const startedOn = clock()

  const subject = await logger.group(`Resolving ${ref.original}`, () => resolveSubject(target, ref, inputs.digest))
  logger.info(`subject ${subject.descriptor.digest} (${subject.descriptor.mediaType}, ${subject.descriptor.size} bytes)`)
  const result = baseResult(inputs, ref, subject.descriptor)

  const writer = writerOf(ci, inputs, sboms)
  if (writer.attempt !== undefined) logger.info(`writer attempt ${writer.attempt}: replaces only its own artifacts of earlier attempts`)
  // platforms: each → metadata on the index and on every platform manifest (each describes its own
  // digest); SBOMs and provenance describe the build, so they go on the index once, and the gate
  // counts what the index carries for every platform in it
  const subjects: Descriptor[] = [subject.descriptor]
  if (inputs.platforms === 'each' && inputs.mode === 'artifact') subjects.push(...subject.platforms)

  const docFor = (s: Descriptor, platform?: Descriptor): BuildMetadata =>
    buildDocument({
      ci,
      image: {
        original: ref.original,
        registry: ref.registry,
        repository: ref.repository,
        name: ref.name,
        ...(ref.tag ? { tag: ref.tag } : {}),
        digest: s.digest,
        mediaType: s.mediaType,
        size: s.size,
        ...(!platform && subject.index
          ? {
              platforms: subject.platforms
                .filter(p => p.platform)
                .map(p => ({ os: p.platform!.os, architecture: p.platform!.architecture, ...(p.platform!.variant ? { variant: p.platform!.variant } : {}), digest: p.digest }))
            }
          : {})
      },
      ...(user ? { user } : {}),
      created
    })

  if (inputs.mode === 'annotations') return annotationsMode(target, ref, inputs, deps, subject, docFor(subject.descriptor), result)

  for (const [i, s] of subjects.entries()) {
    const platform = i === 0 ? undefined : s
    const scope = platform ? platformLabel(platform) : ''
    const ctx: PlanContext = { subject: s, prefix: inputs.annotationPrefix, userAnnotations: inputs.annotations, created: created.toISOString(), writer }
    const doc = docFor(s, platform)
    const meta = planMetadata(doc, ctx)
    const plans: PlannedArtifact[] = [meta.plan]
    if (i === 0) {
      for (const sb of sboms) plans.push(planSbom(sb, ctx))
      const provenance = inputs.provenance ? buildProvenance({ subjectName: ref.name, subjectDigest: s.digest, ci, startedOn, finishedOn: clock() }) : undefined
      // signed, the provenance is attached as its bundle only (the bundle holds the statement)
      if (provenance && !signing) plans.push(planProvenance(provenance, ctx).plan)
      if (signing) plans.push(...(await signedPlans(doc, provenance, signing, ctx, logger)))
    }
    const pub = await logger.group(`Attaching to ${scope || ref.original}${scope ? '' : ` (${s.digest})`}`, () =>
      publish(target, s, plans, { logger, prefix: inputs.annotationPrefix, ...(deps.settleMs !== undefined ? { settleMs: deps.settleMs } : {}) })
    )
    for (const p of plans) logger.info(`pushed ${p.label}: ${p.built.descriptor.digest} (${p.built.descriptor.artifactType})`)
    const check = await logger.group(`Verifying ${scope || ref.original}`, () =>
      checkAttached(target, s, plans, {
        timeoutMs: inputs.verifyTimeoutSeconds * 1000,
        prefix: inputs.annotationPrefix,
        logger,
        documentDigest: meta.documentDigest,
        ...(pub.fallback ? { listing: { descriptors: pub.fallback.descriptors, via: 'tag-schema', filtersApplied: false } } : pub.listing ? { listing: pub.listing } : {})
      })
    )
    if (i === 0) {
      result.metadata = doc
      result.annotations = meta.annotations
      result.artifactDigest = meta.plan.built.descriptor.digest
      result.referrers = check.referrers
      if (check.via) result.via = check.via
      result.attachments = plans.map(p => ({ kind: p.kind, label: p.label, digest: p.built.descriptor.digest, artifactType: p.built.descriptor.artifactType as string }))
    } else {
      result.attachments.push({ kind: 'metadata', label: `metadata ${scope}`, digest: meta.plan.built.descriptor.digest, artifactType: meta.plan.built.descriptor.artifactType as string })
    }
    result.problems.push(...check.problems.map(p => (scope ? `${scope}: ${p}` : p)))
    result.missing.push(...check.unverified.map(k => (scope ? `${k}@${scope}` : k)))
    if (check.verified && pub.indexing === 'store') await removeSuperseded(target, check.referrers, plans, inputs.annotationPrefix, logger)
  }
  if (subject.indexAttestations.length) await listBuildKitAttestations(target, subject, deps, logger)
  result.verified = result.problems.length === 0
  return result
}

/**
 * BuildKit (0.32+) stores its attestations as manifests with `subject` inside the image index and
 * writes no referrers tag, so on a registry without the referrers API nobody finds them by referrers
 * (cosign, ORAS, Kyverno, a gate on the platform digest). List each in its platform's tag-schema
 * index, with the same never-lose protocol; neither they nor the image index are rewritten. Best
 * effort: our own artifacts are written and verified already.
 */
async function listBuildKitAttestations(target: Target, subject: Subject, deps: RunDeps, logger: Logger): Promise<void> {
  // a registry's own API lists them already; a layout is scanned (only a registry's capability is noted)
  if (target.capabilities.referrersIndexedBy === 'store' || (await target.referrersCapability()) !== 'unsupported') return
  const byPlatform = new Map<string, Descriptor[]>()
  for (const a of subject.indexAttestations) {
    try {
      const m = parseManifest((await target.fetchManifest(a)).bytes, `attestation manifest ${a.digest}`)
      const platform = subject.platforms.find(p => p.digest === m.subject?.digest)
      if (!platform || isIndex(m)) continue // the legacy form has no subject: it cannot be a referrer
      const d: Descriptor = { mediaType: a.mediaType, digest: a.digest, size: a.size, ...(m.artifactType ? { artifactType: m.artifactType } : {}), ...(m.annotations ? { annotations: m.annotations } : {}) }
      byPlatform.set(platform.digest, [...(byPlatform.get(platform.digest) ?? []), d])
    } catch (e) {
      logger.warning(`could not read BuildKit's attestation manifest ${a.digest}: ${describeError(e)}`)
    }
  }
  for (const platform of subject.platforms) {
    const add = byPlatform.get(platform.digest)
    if (!add) continue
    await logger.group(`Listing BuildKit's attestations for ${platformLabel(platform)}`, async () => {
      try {
        await updateFallbackIndex(target, platform, add, { logger, ...(deps.settleMs !== undefined ? { settleMs: deps.settleMs } : {}) })
        logger.info(`listed ${add.map(d => d.digest).join(', ')} in the referrers tag of ${platform.digest}`)
      } catch (e) {
        logger.warning(`could not list BuildKit's attestations for ${platformLabel(platform)} in its referrers tag: ${describeError(e)}`)
      }
    })
  }
}

/** Sign the metadata statement (and the provenance) before anything is written; each bundle is a plan. */
async function signedPlans(doc: BuildMetadata, provenance: InTotoStatementV1 | undefined, signing: { tokens: TokenSource; endpoints: SigstoreEndpoints }, ctx: PlanContext, logger: Logger): Promise<PlannedArtifact[]> {
  return logger.group('Signing', async () => {
    const statements: Array<{ kind: 'metadata' | 'provenance'; label: string; bytes: Uint8Array; predicateType: string }> = [
      { kind: 'metadata', label: 'metadata statement', bytes: statementBytes(metadataStatement(doc)), predicateType: BUILD_METADATA_PREDICATE_V1 }
    ]
    if (provenance) statements.push({ kind: 'provenance', label: 'provenance statement', bytes: provenanceBytes(provenance), predicateType: provenance.predicateType })
    const { signStatements } = await import('../sign/sigstore-sign.js')
    const bundles = await signStatements(statements, signing.endpoints, signing.tokens)
    for (const st of statements) logger.info(`signed the ${st.label} (${st.predicateType})`)
    return statements.map((st, i) => planBundle(st.kind, bundles[i]!, st.predicateType, ctx))
  })
}

/**
 * Where the registry (or layout) lists referrers itself, this writer's own artifacts of an earlier
 * attempt stay listed: delete them (best effort). Only its own: same key, lower attempt.
 */
async function removeSuperseded(target: Target, listed: Descriptor[], plans: PlannedArtifact[], prefix: string, logger: Logger): Promise<void> {
  if (!target.capabilities.deletesManifests) return
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

async function annotationsMode(target: Target, ref: ImageRef, inputs: Inputs, deps: RunDeps, subject: Subject, doc: BuildMetadata, result: Result): Promise<Result> {
  const { logger } = deps
  const annotated = annotateManifest(subject.bytes, subject.descriptor.mediaType, doc, { prefix: inputs.annotationPrefix, extra: inputs.annotations })
  const tag = ref.tag
  await logger.group(`Writing annotations to ${ref.original}`, async () => {
    await target.pushManifest(annotated.bytes, annotated.descriptor.mediaType, tag)
    if (tag) logger.info(`moved tag ${tag} to ${annotated.descriptor.digest}`)
  })
  result.metadata = doc
  result.annotations = annotated.annotations
  result.imageDigest = annotated.descriptor.digest
  result.digestChanged = annotated.descriptor.digest !== subject.descriptor.digest
  if (result.digestChanged) {
    result.notes.push(
      `the image digest changed from ${subject.descriptor.digest} to ${annotated.descriptor.digest}: signatures, attestations and referrers of the old digest do not follow it; deploy by the new digest`
    )
  }
  result.problems = await checkAnnotated(target, tag ?? annotated.descriptor.digest, { digest: annotated.descriptor.digest, documentDigest: annotated.documentDigest }, {
    timeoutMs: inputs.verifyTimeoutSeconds * 1000,
    prefix: inputs.annotationPrefix,
    logger
  })
  result.verified = result.problems.length === 0
  return result
}
