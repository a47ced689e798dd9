/**
 * Where a build ran: read once from the CI environment (GitHub Actions, else GitLab CI, else `git` in
 * the working directory, else nothing). Everything here is a function of its arguments: the action
 * entry passes `@actions/github`'s context in, the CLI passes `process.env`.
 */
import { UsageError } from '../errors.js'
import type { CiProvider, RefType } from './schema.js'
import { githubCiContext, githubContextFromEnv, type GitHubContextLike } from './context-github.js'
import { gitlabCiContext } from './context-gitlab.js'
import { gitCiContext } from './context-git.js'

export { githubContextFromEnv, type GitHubContextLike }

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
  runner?: { os?: string; arch?: string; environment?: string }
  /** GitHub's `repository.license.spdx_id` from the event payload, when there is one */
  license?: string
  /** GitHub's `repository.description` from the event payload */
  description?: string
  /** `public`, `private` or `internal` (GitHub's `repository.visibility`); chooses the Sigstore instance */
  visibility?: string
  /** pull / merge request number, when the build is for one */
  pullRequest?: number
}

export interface ReadCiContextOptions {
  env: NodeJS.ProcessEnv
  cwd: string
  /** `@actions/github`'s `context`; the action entry passes it, the CLI leaves it out */
  github?: GitHubContextLike
}

export async function readCiContext(opts: ReadCiContextOptions): Promise<CiContext> {
  const github = opts.github ?? githubContextFromEnv(opts.env)
  if (github) return githubCiContext(github, opts.env)
  if (opts.env.GITLAB_CI === 'true') return gitlabCiContext(opts.env)
  const git = await gitCiContext(opts.cwd, opts.env)
  return git ?? { provider: 'none' }
}

/**
 * The build's clock. `SOURCE_DATE_EPOCH` (https://reproducible-builds.org/specs/source-date-epoch/)
 * wins when set: it must be a non-negative integer number of seconds, and a malformed value is an
 * error rather than silently ignored, as the spec asks. An empty value counts as unset (CI systems
 * pass empty inputs through as empty variables).
 */
export function nowFromEnv(env: NodeJS.ProcessEnv, clock: () => Date = () => new Date()): Date {
  const raw = env.SOURCE_DATE_EPOCH
  if (raw === undefined || raw.trim() === '') return clock()
  const s = raw.trim()
  if (!/^\d{1,15}$/.test(s)) {
    throw new UsageError(`SOURCE_DATE_EPOCH="${raw}" is not a Unix timestamp`, { hint: 'give whole seconds since 1970-01-01 UTC, e.g. $(git log -1 --format=%ct)' })
  }
  const d = new Date(Number(s) * 1000)
  if (Number.isNaN(d.getTime())) throw new UsageError(`SOURCE_DATE_EPOCH="${raw}" is out of range`)
  return d
}
