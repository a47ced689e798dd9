/**
 * SLSA provenance v1 in an in-toto Statement v1, generated from the CI context: what the build says
 * about itself. Attached as it is, or signed (`sign: true`, src/sign/) so that a gate can check who
 * said it.
 * https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md
 * https://slsa.dev/spec/v1.0/provenance
 */
import { Annotation } from '../oci/media-types.js'
import { digestOf, parseDigest } from '../oci/digest.js'
import type { CiContext } from '../metadata/context.js'
import { compact } from '../metadata/refs.js'
import { canonicalJson } from '../metadata/canonical.js'

export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1'
export const IN_TOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1'
/**
 * What `externalParameters` / `internalParameters` mean. Shaped like GitHub's workflow build type
 * (https://actions.github.io/buildtypes/workflow/v1) but the project's own: the provenance is produced
 * by this tool inside the build, not by a trusted builder, and a verifier must not mistake one for the other.
 * Its parameters are described in docs/metadata.md ("Provenance"). The host matches the annotation prefix.
 */
export const BUILD_TYPE_V1 = 'https://oci-build-metadata.dev/buildtypes/ci/v1'
/** Builder id when the CI context names no workflow: a build run by hand or by an unknown CI. */
export const LOCAL_BUILDER_ID = 'urn:oci-build-metadata:builder:local'

export interface ResourceDescriptor {
  uri?: string
  digest?: Record<string, string>
  name?: string
}

export interface SlsaProvenanceV1 {
  buildDefinition: {
    buildType: string
    externalParameters: {
      workflow: { ref?: string; repository?: string; path?: string }
      event?: string
    }
    internalParameters: Record<string, unknown>
    resolvedDependencies: ResourceDescriptor[]
  }
  runDetails: {
    builder: { id: string }
    metadata: { invocationId?: string; startedOn: string; finishedOn: string }
  }
}

export interface InTotoStatementV1<P = SlsaProvenanceV1> {
  _type: typeof IN_TOTO_STATEMENT_V1
  subject: Array<{ name: string; digest: Record<string, string> }>
  predicateType: string
  predicate: P
}

export interface BuildProvenanceArgs {
  /** the image name without tag or digest, e.g. `ghcr.io/o/r` */
  subjectName: string
  subjectDigest: string
  ci: CiContext
  startedOn: Date
  finishedOn: Date
}

export function buildProvenance(args: BuildProvenanceArgs): InTotoStatementV1 {
  const { ci } = args
  const { algorithm, hex } = parseDigest(args.subjectDigest)
  const wf = splitWorkflowRef(ci.workflowRef, ci.repository)
  const serverUrl = (ci.serverUrl ?? '').replace(/\/+$/, '')
  const dependencies: ResourceDescriptor[] = []
  if (ci.commit) {
    dependencies.push(
      compact<ResourceDescriptor>({
        uri: ci.repositoryUrl ? `git+${ci.repositoryUrl}${ci.ref ? `@${ci.ref}` : ''}` : undefined,
        digest: { gitCommit: ci.commit }
      })
    )
  }
  return {
    _type: IN_TOTO_STATEMENT_V1,
    subject: [{ name: args.subjectName, digest: { [algorithm]: hex } }],
    predicateType: SLSA_PROVENANCE_V1,
    predicate: {
      buildDefinition: {
        buildType: BUILD_TYPE_V1,
        externalParameters: {
          workflow: compact({ ref: wf?.ref ?? ci.ref, repository: ci.repositoryUrl, path: wf?.path }),
          ...(ci.event ? { event: ci.event } : {})
        },
        internalParameters: compact({
          provider: ci.provider,
          workflow: ci.workflow,
          job: ci.job,
          runnerEnvironment: ci.runner?.environment,
          runnerOs: ci.runner?.os,
          runnerArch: ci.runner?.arch
        }),
        resolvedDependencies: dependencies
      },
      runDetails: {
        builder: { id: ci.workflowRef ? (serverUrl ? `${serverUrl}/${ci.workflowRef}` : ci.workflowRef) : LOCAL_BUILDER_ID },
        metadata: compact({
          // the run URL already names the attempt on GitHub (…/attempts/N)
          invocationId: ci.runUrl ?? ci.jobUrl,
          startedOn: args.startedOn.toISOString(),
          finishedOn: args.finishedOn.toISOString()
        })
      }
    }
  }
}

/** `o/r/.github/workflows/build.yml@refs/heads/main` → path `.github/workflows/build.yml`, ref `refs/heads/main`. */
export function splitWorkflowRef(workflowRef: string | undefined, repository?: string): { path?: string; ref?: string } | undefined {
  if (!workflowRef) return undefined
  const at = workflowRef.indexOf('@')
  const left = at >= 0 ? workflowRef.slice(0, at) : workflowRef
  const ref = at >= 0 ? workflowRef.slice(at + 1) || undefined : undefined
  // <repository>/<path>; GitLab project paths have any depth, so prefer the known repository
  const path = repository && left.startsWith(`${repository}/`) ? left.slice(repository.length + 1) : left.split('/').slice(2).join('/')
  return { path: path || undefined, ref }
}

/** The bytes to store as the layer: canonical JSON, so the same inputs give the same digest. */
export function provenanceBytes(statement: InTotoStatementV1): Uint8Array {
  return new Uint8Array(Buffer.from(canonicalJson(statement), 'utf8'))
}

/**
 * What a statement attests, apart from when it was made: the digest of its canonical JSON without
 * `runDetails.metadata.startedOn` and `finishedOn`. Two runs that describe the same build (same
 * subject, commit, builder, invocation) have the same content; a CI re-run names another invocation
 * (the run URL names the attempt), so its provenance is new content.
 */
export function provenanceContentDigest(statement: InTotoStatementV1): string {
  const { startedOn: _started, finishedOn: _finished, ...metadata } = statement.predicate.runDetails.metadata
  const timeless = { ...statement, predicate: { ...statement.predicate, runDetails: { ...statement.predicate.runDetails, metadata } } }
  return digestOf(canonicalJson(timeless))
}

export function provenanceAnnotations(created: string): Record<string, string> {
  return {
    [Annotation.InTotoPredicateType]: SLSA_PROVENANCE_V1,
    [Annotation.Created]: created
  }
}
