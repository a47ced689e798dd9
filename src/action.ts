/**
 * The action: read inputs with @actions/core, call run(), report. Nothing else lives here.
 */
import * as core from '@actions/core'
import { describeError, ExitCode, exitCodeFor } from './errors.js'
import { INPUT_SPECS, type Inputs, parseInputs, type RawInputs } from './inputs.js'
import { addSecret, onSecret, redact, type Logger } from './log.js'
import { outputsOf } from './report/outputs.js'
import { renderSummary } from './report/summary.js'
import { run } from './run.js'
import { VERSION } from './version.js'

const logger: Logger = {
  debug: m => core.debug(redact(m)),
  info: m => core.info(redact(m)),
  warning: m => core.warning(redact(m)),
  group: (name, fn) => core.group(redact(name), fn)
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
  let inputs: Inputs | undefined
  try {
    logger.debug(`oci-build-metadata ${VERSION}, Node.js ${process.version}`)
    inputs = parseInputs(raw)
    // the GitHub context comes from the runner's GITHUB_* variables and event file, read as
    // @actions/github reads them (src/metadata/context-github.ts), without bundling Octokit
    const result = await run(inputs, { logger, env: process.env, cwd: process.cwd() })
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
