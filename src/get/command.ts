/**
 * `get`: read back what is attached, as `oras pull` and `regctl artifact get --subject …
 * --filter-artifact-type …` do: the metadata document (also from annotations mode), an SBOM,
 * provenance, or any referrer by artifactType — including the statements inside BuildKit's
 * attestation manifests in an image index, per platform. Byte for byte, digest-checked; written to
 * `output` when given (else the CLI prints it). Read only: nothing is written to the registry.
 */
import { resolve } from 'node:path'
import { UsageError } from '../errors.js'
import { writeFileAtomic } from '../oci/layout/store.js'
import type { Inputs } from '../inputs.js'
import type { ImageRef } from '../oci/reference.js'
import type { Reader, ReferrerLister } from '../oci/target.js'
import { parseManifest, type Descriptor, type Manifest } from '../oci/types.js'
import { readIndexAttestations } from '../image-reader/index-attestations.js'
import { resolveSubject } from '../image-reader/resolve-subject.js'
import { platformLabel, type Candidate, type GetResult, type RunDeps } from '../result.js'
import { collectEvidence, type StoredDocument } from '../verify/evidence.js'
import { answers, carrierOf, describeCandidate, kindName, matchPlatform, pickCandidate, toCandidate } from './candidates.js'
import { readContent } from './content.js'
import { IDENTITY_HINT, identityOpener, privateContent } from '../private/open.js'

/** `3 referrers: application/vnd.oci-build-metadata.v1+json, application/spdx+json (2)` */
function presentLine(types: string[]): string {
  if (!types.length) return 'nothing is attached to it'
  const counts = new Map<string, number>()
  for (const t of types) counts.set(t, (counts.get(t) ?? 0) + 1)
  return `attached: ${[...counts].map(([t, n]) => (n > 1 ? `${t} (${n})` : t)).join(', ')}`
}

/** Write exactly these bytes to `path`: a temp file renamed over it, so no reader sees half of it. */
async function writeExactly(path: string, bytes: Uint8Array): Promise<void> {
  try {
    await writeFileAtomic(path, bytes)
  } catch (e) {
    throw new UsageError(`get: cannot write ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
      hint: 'give output a path in a directory that exists and can be written'
    })
  }
}

export async function getCommand(target: Reader & ReferrerLister, ref: ImageRef, inputs: Inputs, deps: RunDeps): Promise<GetResult> {
  const { logger } = deps
  const kind = inputs.artifactType ?? (inputs.artifact ? '' : 'metadata')
  // the private part: the identities are read and checked before any request
  const opener = kind === 'private' ? await identityOpener(inputs.identity, deps.env, deps.cwd) : undefined
  if (kind === 'private' && !opener) throw new UsageError('get: artifact-type private needs an identity to decrypt it', { hint: IDENTITY_HINT })
  const subject = await logger.group(`Resolving ${ref.original}`, () => resolveSubject(target, ref, inputs.digest))
  // the scope: the image (or index), or one platform of an index
  let descriptor: Descriptor = subject.descriptor
  let manifest: Manifest = subject.manifest
  let scope = subject.index ? 'index' : 'image'
  if (inputs.platform) {
    if (!subject.index)
      throw new UsageError(`get: ${ref.original} is not an image index, so it has no platform ${inputs.platform}`, { hint: 'leave out platform' })
    const hits = matchPlatform(subject.platforms, inputs.platform)
    if (hits.length !== 1) {
      throw new UsageError(`get: ${ref.original} has ${hits.length ? 'several' : 'no'} platform ${inputs.platform}`, {
        hint: `give one of ${subject.platforms.map(platformLabel).join(', ') || '(none)'}`
      })
    }
    descriptor = hits[0]!
    manifest = parseManifest((await target.fetchManifest(descriptor)).bytes, `platform manifest ${descriptor.digest}`)
    scope = platformLabel(descriptor)
  }
  const attestations = await readIndexAttestations(target, subject.indexAttestations, { logger, registryFailures: 'throw' })
  const ev = await logger.group(`Reading referrers of ${scope} ${descriptor.digest}`, () =>
    collectEvidence(
      target,
      { descriptor, manifest, indexAttestations: attestations },
      { prefix: inputs.annotationPrefix, logger, ...(inputs.platform ? { platformDigest: descriptor.digest } : {}) }
    )
  )
  const found: Array<{ candidate: Candidate; manifest?: Manifest; stored?: StoredDocument }> = []
  const problems: string[] = []
  const seen = new Set<string>()
  for (const e of ev.evidence) {
    // BuildKit's OCI-form attestation is in the index and, with its subject, a referrer too: one candidate
    if (seen.has(e.digest)) continue
    seen.add(e.digest)
    const { descriptor: carrier, manifest: m, about } = carrierOf(e.digest, ev.found, attestations)
    const d = carrier ?? descriptor
    const platform = about ? subject.platforms.find(p => p.digest === about) : undefined
    const c = toCandidate(e, d.annotations, platform ? platformLabel(platform) : scope, d)
    const stored = ev.documents.get(e.digest)
    const fits = inputs.artifact ? e.digest === inputs.artifact && (!kind || answers(e, kind)) : answers(e, kind)
    if (fits) found.push({ candidate: c, ...(m ? { manifest: m } : {}), ...(stored ? { stored } : {}) })
    else if (kind === 'metadata' && e.kinds.has('metadata') && e.problem) problems.push(`${e.digest}: ${e.problem}`)
  }
  const types = ev.evidence.map(e => e.artifactType ?? 'unknown')
  const { picked, others } = pickCandidate(
    found.map(f => f.candidate),
    { kind, image: ref.original, ...(inputs.artifact ? { artifact: inputs.artifact } : {}), present: presentLine(types), problems }
  )
  const pickedKind =
    kind ||
    (ev.evidence
      .find(e => e.digest === picked.descriptor.digest)
      ?.kinds.values()
      .next().value ??
      picked.artifactType ??
      '')
  if (!inputs.output && !deps.printsContent && pickedKind !== 'metadata') {
    throw new UsageError(`get: give output, the file to write the ${kindName(pickedKind)} to`, { hint: 'the action writes what get reads to that file' })
  }
  if (others.length) logger.info(`took ${describeCandidate(picked)}; also attached: ${others.map(describeCandidate).join('; ')}`)
  const pickedFound = found.find(f => f.candidate === picked)
  const content = await logger.group(`Reading ${picked.descriptor.digest}`, () =>
    readContent(target, picked, pickedKind === 'private' ? 'metadata' : pickedKind, {
      prefix: inputs.annotationPrefix,
      subjectManifest: manifest,
      ...(pickedFound?.manifest ? { manifest: pickedFound.manifest } : {}),
      ...(pickedFound?.stored ? { stored: pickedFound.stored } : {})
    })
  )
  // the private part: decrypted from the document just read (exit 1 when no identity matches, as age does)
  if (opener && content.document) {
    const opened = await opener.openOrFail(content.document, `${picked.descriptor.digest} on ${ref.original}`)
    Object.assign(content, privateContent(content.document, opened.text))
  }
  const output = inputs.output && inputs.output !== '-' ? resolve(deps.cwd, inputs.output) : undefined
  if (output) await writeExactly(output, content.bytes)
  const notes = others.length
    ? [`${others.length + 1} ${kindName(pickedKind)}s are attached; read the newest, ${picked.descriptor.digest} (choose another with artifact)`]
    : []
  const { document, ...blob } = content
  return {
    command: 'get',
    image: ref,
    subject: subject.descriptor,
    kind: pickedKind,
    picked,
    content: blob,
    ...(output ? { output } : {}),
    ...(document ? { metadata: document } : {}),
    others,
    notes
  }
}
