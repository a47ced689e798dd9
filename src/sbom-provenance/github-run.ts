/**
 * The GitHub Actions run that provenance describes, read as actions/attest reads it: from the claims
 * of the job's OIDC token (`job_workflow_ref` names the workflow that ran the job — a reusable
 * workflow, not its caller), else from the runner's variables, which know only the caller
 * (`GITHUB_WORKFLOW_REF`). The token is the runner's own answer to the job, so its payload is read
 * without checking its signature, as the variables are.
 * https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect
 */
import type { CiContext } from '../metadata/ci.js'
import type { GitHubRun } from './provenance.js'

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined)

/** The claims of a JWT (its payload), or undefined when it is not one. */
export function claimsOf(token: string): Record<string, unknown> | undefined {
  try {
    const payload: unknown = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'))
    return payload && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** From the OIDC token's claims; undefined when they lack the workflow refs. */
export function githubRunFromClaims(claims: Record<string, unknown>, ci: CiContext): GitHubRun | undefined {
  const repository = str(claims.repository) ?? ci.repository
  const jobWorkflowRef = str(claims.job_workflow_ref)
  const workflowRef = str(claims.workflow_ref) ?? ci.workflowRef ?? jobWorkflowRef
  if (!repository || !jobWorkflowRef || !workflowRef) return undefined
  return compactRun({
    from: 'oidc-token',
    serverUrl: ci.serverUrl ?? 'https://github.com',
    repository,
    workflowRef,
    jobWorkflowRef,
    eventName: str(claims.event_name) ?? ci.event,
    repositoryId: str(claims.repository_id),
    repositoryOwnerId: str(claims.repository_owner_id),
    runnerEnvironment: str(claims.runner_environment) ?? ci.runner?.environment,
    ref: str(claims.ref) ?? ci.ref,
    sha: str(claims.sha) ?? ci.commit,
    runId: str(claims.run_id) ?? ci.runId,
    runAttempt: str(claims.run_attempt) ?? ci.runAttempt
  })
}

/** From the runner's variables: the caller's workflow stands for the one that ran the job. */
export function githubRunFromEnv(env: NodeJS.ProcessEnv, ci: CiContext): GitHubRun | undefined {
  if (!ci.repository || !ci.workflowRef) return undefined
  return compactRun({
    from: 'environment',
    serverUrl: ci.serverUrl ?? 'https://github.com',
    repository: ci.repository,
    workflowRef: ci.workflowRef,
    jobWorkflowRef: ci.workflowRef,
    eventName: ci.event,
    repositoryId: str(env.GITHUB_REPOSITORY_ID),
    repositoryOwnerId: str(env.GITHUB_REPOSITORY_OWNER_ID),
    runnerEnvironment: ci.runner?.environment,
    ref: ci.ref,
    sha: ci.commit,
    runId: ci.runId,
    runAttempt: ci.runAttempt
  })
}

/** The run without the fields its source did not give (the required ones are checked by the callers). */
function compactRun(r: { [K in keyof GitHubRun]: GitHubRun[K] | undefined }): GitHubRun {
  return Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as unknown as GitHubRun
}
