/**
 * attach, before anything is read or written: every precondition that needs no registry (user
 * metadata, SBOM files, the CI context, the build's clock, the signing identity and instance), the
 * writer's identity, and the metadata document of each subject.
 */
import { readFile } from 'node:fs/promises'
import { basename, resolve as resolvePath } from 'node:path'
import { describeError, UsageError } from '../errors.js'
import type { Inputs } from '../inputs.js'
import type { Logger } from '../log.js'
import { canonicalJson } from '../metadata/canonical.js'
import { nowFromEnv, readCiContext, type CiContext } from '../metadata/ci-context.js'
import { buildDocument } from '../metadata/document.js'
import type { BuildMetadata, PrivatePart } from '../metadata/schema.js'
import { parseUserMetadata } from '../metadata/user.js'
import { digestOf } from '../oci/digest.js'
import type { ImageRef } from '../oci/reference.js'
import type { Descriptor } from '../oci/types.js'
import type { Subject } from '../image-reader/resolve-subject.js'
import type { RunDeps } from '../result.js'
import { signingEndpoints, type SigstoreEndpoints } from '../sign/instance.js'
import { tokenSource, type TokenSource } from '../sign/oidc.js'
import { detectSbom, expandSbomInputs, type DetectedSbom } from '../sbom-provenance/sbom.js'
import { claimsOf, githubRunFromClaims, githubRunFromEnv } from '../sbom-provenance/github-run.js'
import type { GitHubRun } from '../sbom-provenance/provenance.js'
import { writerIdentity, type WriterIdentity } from './identity.js'
import { sealedPrivate } from '../private/seal.js'

export interface Signing {
  tokens: TokenSource
  endpoints: SigstoreEndpoints
}

export interface Prepared {
  user?: Record<string, unknown>
  sboms: DetectedSbom[]
  ci: CiContext
  /** the document's `created` (SOURCE_DATE_EPOCH when set) */
  created: Date
  writer: WriterIdentity
  /** on GitHub Actions with provenance: the run, as actions/attest reads it */
  githubRun?: GitHubRun
  signing?: Signing
  /** the private part, encrypted for the recipients (the same ciphertext in every document of this run) */
  private?: PrivatePart
}

export async function prepare(inputs: Inputs, deps: RunDeps): Promise<Prepared> {
  const { logger } = deps
  const clock = deps.clock ?? (() => new Date())
  const prepared = await logger.group('Preparing', async () => {
    const user = await readUserMetadata(inputs, deps.cwd)
    const sealed = await sealedPrivate(inputs, deps.cwd)
    const sboms: DetectedSbom[] = []
    for (const path of await expandSbomInputs(inputs.sbom, deps.cwd)) sboms.push(await detectSbom(path))
    const ci = await readCiContext({ env: deps.env, cwd: deps.cwd })
    const created = nowFromEnv(deps.env, clock)
    const signing = inputs.sign ? signingFor(inputs, ci, deps.env, logger) : undefined
    const githubRun = inputs.provenance && ci.provider === 'github' ? await githubRunOf(ci, deps.env, signing?.tokens, logger) : undefined
    return {
      ...(user ? { user } : {}),
      sboms,
      ci,
      created,
      ...(signing ? { signing } : {}),
      ...(githubRun ? { githubRun } : {}),
      ...(sealed ? { private: sealed } : {})
    }
  })
  // outside CI, the time this run started orders it among runs of the same writer (identity.ts)
  const writer = writerOf(prepared.ci, inputs, prepared.sboms, prepared.user, clock())
  if (writer.attempt !== undefined) logger.info(`writer attempt ${writer.attempt}: replaces only its own artifacts of earlier attempts`)
  return { ...prepared, writer }
}

/**
 * The run for GitHub's provenance: from the job's OIDC token where the job may have one (signing, or
 * permissions: id-token: write), else from the runner's variables, saying what that leaves out.
 */
async function githubRunOf(ci: CiContext, env: NodeJS.ProcessEnv, signingTokens: TokenSource | undefined, logger: Logger): Promise<GitHubRun | undefined> {
  const tokens = signingTokens ?? (env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN ? tokenSource(env) : undefined)
  if (tokens) {
    try {
      const claims = claimsOf(await tokens.getToken())
      const run = claims ? githubRunFromClaims(claims, ci) : undefined
      if (run) return run
      logger.warning("provenance: the job's OIDC token names no workflow; the builder is taken from GITHUB_WORKFLOW_REF")
    } catch (e) {
      if (signingTokens) throw e
      logger.warning(`provenance: the job's OIDC token could not be read (${describeError(e)}); the builder is taken from GITHUB_WORKFLOW_REF`)
    }
  }
  const run = githubRunFromEnv(env, ci)
  if (run)
    logger.info(
      'provenance: runDetails.builder.id is the calling workflow (GITHUB_WORKFLOW_REF); with "permissions: id-token: write" it names the workflow ' +
        'that ran the job (a reusable workflow), as actions/attest does'
    )
  return run
}

/** The OIDC token's source and the Sigstore instance, settled before anything is read or written. */
function signingFor(inputs: Inputs, ci: CiContext, env: NodeJS.ProcessEnv, logger: Logger): Signing {
  const tokens = tokenSource(env)
  const endpoints = signingEndpoints(inputs.sigstore, {
    provider: ci.provider,
    ...(ci.visibility ? { visibility: ci.visibility } : {}),
    ...(ci.serverUrl ? { serverUrl: ci.serverUrl } : {})
  })
  logger.info(`signing with Sigstore's ${endpoints.instance} instance (${endpoints.fulcioURL}): ${endpoints.why}; the OIDC token comes from ${tokens.from}`)
  return { tokens, endpoints }
}

/** The metadata document of one subject: the image (with its platforms, for an index) or one platform. */
export function documentFor(p: Prepared, ref: ImageRef, subject: Subject, s: Descriptor, platform?: Descriptor): BuildMetadata {
  const platforms =
    !platform && subject.index
      ? subject.platforms
          .filter(x => x.platform)
          .map(x => ({
            os: x.platform!.os,
            architecture: x.platform!.architecture,
            ...(x.platform!.variant ? { variant: x.platform!.variant } : {}),
            digest: x.digest
          }))
      : undefined
  return buildDocument({
    ci: p.ci,
    image: {
      original: ref.original,
      registry: ref.registry,
      repository: ref.repository,
      name: ref.name,
      ...(ref.tag ? { tag: ref.tag } : {}),
      digest: s.digest,
      mediaType: s.mediaType,
      size: s.size,
      ...(platforms ? { platforms } : {})
    },
    ...(p.user ? { user: p.user } : {}),
    ...(p.private ? { private: p.private } : {}),
    created: p.created
  })
}

/** Who this writer is (src/attach/identity.ts): what may replace what among the writers of one job. */
function writerOf(ci: CiContext, inputs: Inputs, sboms: DetectedSbom[], user: Record<string, unknown> | undefined, startedOn: Date): WriterIdentity {
  return writerIdentity(ci, {
    ...(inputs.writerId !== undefined ? { writerId: inputs.writerId } : {}),
    ...(inputs.matrix !== undefined ? { matrix: inputs.matrix } : {}),
    userContent: digestOf(canonicalJson(user ?? {})),
    startedAtMs: startedOn.getTime(),
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
      throw new UsageError(`metadata-file ${inputs.metadataFile} cannot be read (${(e as NodeJS.ErrnoException).code ?? describeError(e)})`, {
        hint: 'check the path'
      })
    }
    merged = parseUserMetadata(text, `metadata-file ${inputs.metadataFile}`)
  }
  if (inputs.metadata) merged = { ...(merged ?? {}), ...parseUserMetadata(inputs.metadata, 'input metadata') }
  return merged
}
