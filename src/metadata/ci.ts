/**
 * Where a build ran, as the CI readers (ci-github.ts, ci-gitlab.ts, ci-git.ts) find it
 * and ci-context.ts hands it on.
 */
import type { CiProvider, RefType } from './schema.js'

export interface CiContext {
  provider: CiProvider
  /** `owner/name` on GitHub, the project path on GitLab, derived from the remote URL for git */
  repository?: string
  /** web URL of the repository, never with credentials */
  repositoryUrl?: string
  commit?: string
  /** full ref, `refs/heads/main`, `refs/tags/v1`, `refs/pull/7/merge` */
  ref?: string
  refName?: string
  refType?: RefType
  serverUrl?: string
  event?: string
  workflow?: string
  /** `owner/repo/.github/workflows/build.yml@refs/heads/main` on GitHub */
  workflowRef?: string
  job?: string
  /**
   * the step within the job: `GITHUB_ACTION` on GitHub (a step's `id`, else `__<owner>_<repo>` or
   * `__run`, with `_2`, `_3` … for repeats), so two steps of one job are told apart
   */
  step?: string
  jobId?: string
  jobUrl?: string
  runId?: string
  runNumber?: string
  runAttempt?: string
  runUrl?: string
  actor?: string
  triggeringActor?: string
  runner?: { os?: string | undefined; arch?: string | undefined; environment?: string | undefined }
  /** GitHub's `repository.license.spdx_id` from the event payload, when there is one */
  license?: string
  /** GitHub's `repository.description` from the event payload */
  description?: string
  /** `public`, `private` or `internal` (GitHub's `repository.visibility`); chooses the Sigstore instance */
  visibility?: string
  /** pull / merge request number, when the build is for one */
  pullRequest?: number
}
