import type { Command } from '../../src/input-specs.js'
import { parseInputs, type RawInputs } from '../../src/inputs.js'
import { silentLogger } from '../../src/log.js'
import { run, type Result } from '../../src/run.js'

/** The result of one command, narrowed from the union (`attach` when no command is given). */
export type ResultOf<C extends Command> = Extract<Result, { command: C }>

/** Narrow a result to its command, failing the test when it is another's. */
export function resultOf<C extends Command>(r: Result, command: C): ResultOf<C> {
  if (r.command !== command) throw new Error(`expected a ${command} result, got ${r.command}`)
  return r as ResultOf<C>
}

/** run() as the CLI would call it, outside any CI (git context of a temp dir). */
export async function runWith<C extends Command = 'attach'>(raw: RawInputs & { command?: C }, env: NodeJS.ProcessEnv = {}, cwd = '/'): Promise<ResultOf<C>> {
  const r = await run(parseInputs(raw), { logger: silentLogger, env: { GITHUB_SHA: '', ...env }, cwd, settleMs: 50 })
  return resultOf(r, (raw.command ?? 'attach') as C)
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
