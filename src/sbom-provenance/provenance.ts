/**
 * SLSA provenance v1 in an in-toto Statement v1, generated from the CI context: what the build says
 * about itself. Attached as it is, or signed (`sign: true`, src/sign/) so that a gate can check who
 * said it.
 * https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md
 * https://slsa.dev/spec/v1.0/provenance
 */
import { Annotation } from '../oci/media-types.js'
import { parseDigest } from '../oci/digest.js'
import type { CiContext } from '../metadata/ci-context.js'
import { compact } from '../metadata/git-refs.js'
import { canonicalJson } from '../metadata/canonical.js'

export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1'
export const IN_TOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1'
/**
 * On GitHub Actions: GitHub's workflow build type, with the parameters actions/attest records, so that
 * verifiers that key on it (`gh attestation verify`, policies written for actions/attest) read ours
 * the same way. https://actions.github.io/buildtypes/workflow/v1
 */
export const GITHUB_WORKFLOW_BUILD_TYPE = 'https://actions.github.io/buildtypes/workflow/v1'
/**
 * Elsewhere (GitLab, Jenkins, a laptop): the project's own build type, whose parameters are described
 * in docs/metadata.md ("Provenance"). The provenance is produced by this tool inside the build, not by
 * a trusted builder, and a verifier must not mistake one for the other.
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
    /** no build times: the tool runs after the build and did not observe it */
    metadata: { invocationId?: string }
  }
}

export interface InTotoStatementV1<P = SlsaProvenanceV1> {
  _type: typeof IN_TOTO_STATEMENT_V1
  subject: Array<{ name: string; digest: Record<string, string> }>
  predicateType: string
  predicate: P
}

/**
 * A GitHub Actions run as actions/attest reads it: from the claims of the job's OIDC token, where
 * `job_workflow_ref` names the workflow that ran the job (a reusable workflow, not its caller), or,
 * without a token, from the runner's variables, where only the caller's `GITHUB_WORKFLOW_REF` is known.
 */
export interface GitHubRun {
  from: 'oidc-token' | 'environment'
  serverUrl: string
  repository: string
  /** the caller's workflow: `owner/repo/.github/workflows/x.yml@ref` */
  workflowRef: string
  /** the workflow the job ran (the OIDC token's `job_workflow_ref`) */
  jobWorkflowRef: string
  eventName?: string
  repositoryId?: string
  repositoryOwnerId?: string
  runnerEnvironment?: string
  ref?: string
  sha?: string
  runId?: string
  runAttempt?: string
}

export interface BuildProvenanceArgs {
  /** the image name without tag or digest, e.g. `ghcr.io/o/r` */
  subjectName: string
  subjectDigest: string
  ci: CiContext
  /** on GitHub Actions: the run, for GitHub's workflow build type */
  github?: GitHubRun
}

export function buildProvenance(args: BuildProvenanceArgs): InTotoStatementV1 {
  const { algorithm, hex } = parseDigest(args.subjectDigest)
  return {
    _type: IN_TOTO_STATEMENT_V1,
    subject: [{ name: args.subjectName, digest: { [algorithm]: hex } }],
    predicateType: SLSA_PROVENANCE_V1,
    predicate: args.github ? githubPredicate(args.github) : ciPredicate(args.ci)
  }
}

/** The predicate actions/attest writes (its buildSLSAProvenancePredicate), from the same claims. */
function githubPredicate(run: GitHubRun): SlsaProvenanceV1 {
  const server = run.serverUrl.replace(/\/+$/, '')
  const wf = splitWorkflowRef(run.workflowRef, run.repository)
  return {
    buildDefinition: {
      buildType: GITHUB_WORKFLOW_BUILD_TYPE,
      externalParameters: { workflow: compact({ ref: wf?.ref, repository: `${server}/${run.repository}`, path: wf?.path }) },
      internalParameters: {
        github: compact({
          event_name: run.eventName,
          repository_id: run.repositoryId,
          repository_owner_id: run.repositoryOwnerId,
          runner_environment: run.runnerEnvironment
        })
      },
      resolvedDependencies: run.sha ? [{ uri: `git+${server}/${run.repository}${run.ref ? `@${run.ref}` : ''}`, digest: { gitCommit: run.sha } }] : []
    },
    runDetails: {
      builder: { id: `${server}/${run.jobWorkflowRef}` },
      metadata: compact({
        invocationId: run.runId ? `${server}/${run.repository}/actions/runs/${run.runId}/attempts/${run.runAttempt ?? '1'}` : undefined
      })
    }
  }
}

function ciPredicate(ci: CiContext): SlsaProvenanceV1 {
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
      // the run URL already names the attempt on GitHub (…/attempts/N)
      metadata: compact({ invocationId: ci.runUrl ?? ci.jobUrl })
    }
  }
}

/** `o/r/.github/workflows/build.yml@refs/heads/main` → path `.github/workflows/build.yml`, ref `refs/heads/main`. */
export function splitWorkflowRef(workflowRef: string | undefined, repository?: string): { path?: string | undefined; ref?: string | undefined } | undefined {
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

export function provenanceAnnotations(created: string): Record<string, string> {
  return {
    [Annotation.InTotoPredicateType]: SLSA_PROVENANCE_V1,
    [Annotation.Created]: created
  }
}
