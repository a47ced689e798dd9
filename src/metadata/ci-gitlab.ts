/**
 * GitLab CI: predefined variables.
 * https://docs.gitlab.com/ci/variables/predefined_variables/
 */
import type { CiContext } from './ci.js'
import { compact } from './git-refs.js'

export function gitlabCiContext(env: NodeJS.ProcessEnv): CiContext {
  const tag = env.CI_COMMIT_TAG || undefined
  const branch = env.CI_COMMIT_BRANCH || undefined
  const mr = env.CI_MERGE_REQUEST_IID || undefined
  const refName = env.CI_COMMIT_REF_NAME || tag || branch
  let ref: string | undefined
  let refType: CiContext['refType']
  if (tag) {
    ref = `refs/tags/${tag}`
    refType = 'tag'
  } else if (mr) {
    ref = `refs/merge-requests/${mr}/head`
    refType = 'pull'
  } else if (branch || refName) {
    ref = `refs/heads/${branch ?? refName}`
    refType = 'branch'
  }
  const configPath = env.CI_CONFIG_PATH || undefined
  const project = env.CI_PROJECT_PATH || undefined
  const [os, arch] = (env.CI_RUNNER_EXECUTABLE_ARCH ?? '').split('/', 2)
  const mrNumber = mr ? Number(mr) : undefined
  return compact<CiContext>({
    provider: 'gitlab',
    repository: project,
    repositoryUrl: env.CI_PROJECT_URL,
    commit: env.CI_COMMIT_SHA,
    ref,
    refName,
    refType,
    serverUrl: env.CI_SERVER_URL,
    event: env.CI_PIPELINE_SOURCE,
    workflow: env.CI_PIPELINE_NAME || configPath,
    // the same shape as GITHUB_WORKFLOW_REF: <project>/<config path>@<ref>
    workflowRef: project && configPath && ref ? `${project}/${configPath}@${ref}` : undefined,
    job: env.CI_JOB_NAME,
    jobId: env.CI_JOB_ID,
    jobUrl: env.CI_JOB_URL,
    runId: env.CI_PIPELINE_ID,
    runNumber: env.CI_PIPELINE_IID,
    runUrl: env.CI_PIPELINE_URL,
    actor: env.GITLAB_USER_LOGIN,
    triggeringActor: env.GITLAB_USER_LOGIN,
    runner: { os: os || undefined, arch: arch || undefined, environment: env.CI_SHARED_ENVIRONMENT === 'true' ? 'gitlab-shared' : undefined },
    visibility: env.CI_PROJECT_VISIBILITY || undefined,
    pullRequest: mrNumber !== undefined && Number.isInteger(mrNumber) ? mrNumber : undefined
  })
}
