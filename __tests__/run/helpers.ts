import { parseInputs, type RawInputs } from '../../src/inputs.js'
import { silentLogger } from '../../src/log.js'
import { run, type Result } from '../../src/run.js'

/** run() as the CLI would call it, outside any CI (git context of a temp dir). */
export function runWith(raw: RawInputs, env: NodeJS.ProcessEnv = {}, cwd = '/'): Promise<Result> {
  return run(parseInputs(raw), { logger: silentLogger, env: { GITHUB_SHA: '', ...env }, cwd, settleMs: 50 })
}

export const GH_ENV = {
  GITHUB_ACTIONS: 'true',
  GITHUB_SHA: '89abcdef0123456789abcdef0123456789abcdef',
  GITHUB_REPOSITORY: 'acme/widget',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_REF: 'refs/tags/v1.2.3',
  GITHUB_REF_NAME: 'v1.2.3',
  GITHUB_REF_TYPE: 'tag',
  GITHUB_WORKFLOW: 'release',
  GITHUB_WORKFLOW_REF: 'acme/widget/.github/workflows/release.yml@refs/tags/v1.2.3',
  GITHUB_JOB: 'publish',
  GITHUB_RUN_ID: '99',
  GITHUB_RUN_NUMBER: '3',
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_EVENT_NAME: 'push',
  GITHUB_ACTOR: 'octocat'
}
