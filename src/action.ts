/**
 * The action: read inputs with @actions/core, call run(), report. Nothing else lives here.
 */
import * as core from '@actions/core'
import { context } from '@actions/github'
import { describeError, ExitCode, exitCodeFor } from './errors.js'
import { INPUT_SPECS, parseInputs, type RawInputs } from './inputs.js'
import { addSecret, onSecret, redact, type Logger } from './log.js'
import type { GitHubContextLike } from './metadata/context.js'
import { outputsOf } from './report/outputs.js'
import { renderSummary } from './report/summary.js'
import { run } from './run.js'

const logger: Logger = {
  debug: m => core.debug(redact(m)),
  info: m => core.info(redact(m)),
  warning: m => core.warning(redact(m)),
  group: (name, fn) => core.group(redact(name), fn)
}

function githubContext(): GitHubContextLike | undefined {
  if (process.env.GITHUB_ACTIONS !== 'true') return undefined
  return {
    eventName: context.eventName,
    sha: context.sha,
    ref: context.ref,
    workflow: context.workflow,
    job: context.job,
    action: context.action,
    runId: context.runId,
    runNumber: context.runNumber,
    runAttempt: context.runAttempt,
    actor: context.actor,
    serverUrl: context.serverUrl,
    apiUrl: context.apiUrl,
    repo: process.env.GITHUB_REPOSITORY ? context.repo : { owner: '', repo: '' },
    payload: context.payload as Record<string, unknown>
  } as GitHubContextLike
}

export async function main(): Promise<void> {
  // every secret the process learns is masked by the runner too, before it can be printed
  onSecret(s => {
    core.setSecret(s)
    core.setSecret(Buffer.from(s).toString('base64'))
  })
  addSecret(process.env.INPUT_PASSWORD)
  addSecret(process.env.GITHUB_TOKEN)
  const raw: RawInputs = {}
  for (const spec of INPUT_SPECS) (raw as Record<string, string>)[spec.name] = core.getInput(spec.name)
  let inputs
  try {
    inputs = parseInputs(raw)
    const github = githubContext()
    const result = await run(inputs, { logger, env: process.env, cwd: process.cwd(), ...(github ? { github } : {}) })
    for (const [name, value] of Object.entries(outputsOf(result))) {
      await core.group(`output ${name}`, async () => {
        core.info(redact(value))
        core.setOutput(name, redact(value))
      })
    }
    for (const n of result.notes) core.warning(redact(n))
    if (inputs.summary && process.env.GITHUB_STEP_SUMMARY) {
      try {
        await core.summary.addRaw(redact(renderSummary(result))).write()
      } catch (e) {
        core.warning(`could not write the job summary: ${describeError(e)}`)
      }
    }
    for (const p of result.problems) core.error(redact(p))
    const code = result.verified ? ExitCode.OK : ExitCode.FAILED
    core.setOutput('exit-code', String(code))
    if (code !== ExitCode.OK) process.exitCode = code
  } catch (e) {
    // no verdict: nothing was found missing, because nothing could be looked at (or the input was bad)
    const line = redact(describeError(e))
    const code = exitCodeFor(e)
    core.setOutput('verified', 'false')
    core.setOutput('missing', '[]')
    core.setOutput('exit-code', String(code))
    core.setOutput('error', line)
    core.error(line)
    process.exitCode = code
  }
}
