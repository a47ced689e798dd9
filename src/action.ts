/**
 * The action: read inputs with @actions/core, call run(), hand how it ended to src/report/. Every
 * ending (exit 0 to 4) sets the outputs and writes the summary the same way.
 */
import * as core from '@actions/core'
import { describeError, ExitCode, isBug } from './errors.js'
import { FIELDS } from './input-fields.js'
import { commandInput, givenInputs, misplacedInputs } from './input-scope.js'
import { INPUT_SPECS } from './input-specs.js'
import { type Inputs, parseInputs, type RawInputs } from './inputs.js'
import { addSecret, onSecret, redact, type Logger } from './log.js'
import { type Ending, failed, finished } from './report/ending.js'
import { notesOf } from './report/notes.js'
import { outputLog, outputStrings, outputValues } from './report/outputs.js'
import { renderSummary } from './report/summary.js'
import { run } from './run.js'
import { VERSION } from './version.js'

const logger: Logger = {
  debug: m => core.debug(redact(m)),
  info: m => core.info(redact(m)),
  warning: m => core.warning(redact(m)),
  group: (name, fn) => core.group(redact(name), fn)
}

/**
 * Inputs set (not empty, not their default) that do not apply to the command: a warning each, never
 * a failure — workflows set inputs once for several steps (src/input-scope.ts misplacedInputs).
 */
function warnMisplaced(raw: RawInputs): void {
  const command = commandInput(raw)
  if (!command) return
  for (const m of misplacedInputs(command, givenInputs(raw), n => `input ${n}`)) core.warning(m.message)
}

/** The summary input, read as parseInputs reads it, also when other inputs are bad (a word that is no boolean: the default, true). */
function wantsSummary(raw: RawInputs): boolean {
  const s = FIELDS.summary.safeParse(raw.summary)
  return s.success ? s.data : true
}

async function report(ending: Ending, raw: RawInputs, inputs: Inputs | undefined): Promise<void> {
  const values = outputValues(ending)
  const strings = outputStrings(values)
  // each output in its own group, and the document logged once (not again inside annotations and referrers)
  for (const [name, text] of outputLog(values, inputs?.annotationPrefix ?? '')) {
    await core.group(`output ${name}`, async () => core.info(redact(text)))
  }
  for (const [name, value] of Object.entries(strings)) core.setOutput(name, redact(value))
  if (ending.kind === 'result') for (const n of notesOf(ending.result)) core.warning(redact(n))
  if (wantsSummary(raw) && process.env.GITHUB_STEP_SUMMARY) {
    try {
      await core.summary.addRaw(redact(renderSummary(ending))).write()
    } catch (e) {
      core.warning(`could not write the job summary: ${describeError(e)}`)
    }
  }
  // bad input: one ::error:: annotation per problem, each one clear line (the `error` output joins them)
  if (ending.kind === 'failure') for (const line of ending.problems ?? [ending.error]) core.error(redact(line))
  else if (ending.result.command === 'attach' || ending.result.command === 'verify') for (const p of ending.result.problems) core.error(redact(p))
  if (ending.code !== 0) process.exitCode = ending.code
}

/** A bug's stack, for step debug logging only (RUNNER_DEBUG): never on the normal log. */
function debugStack(e: unknown): void {
  if (isBug(e) && core.isDebug() && e instanceof Error && e.stack) core.debug(redact(e.stack))
}

export async function main(): Promise<void> {
  try {
    await runAction()
  } catch (e) {
    // a bug in reporting itself: still one line, the bug-report request, exit 4
    debugStack(e)
    core.error(redact(describeError(e)))
    process.exitCode = ExitCode.INTERNAL
  }
}

async function runAction(): Promise<void> {
  // every secret the process learns is masked by the runner too, before it can be printed
  onSecret(s => {
    core.setSecret(s)
    core.setSecret(Buffer.from(s).toString('base64'))
  })
  addSecret(process.env.INPUT_PASSWORD)
  addSecret(process.env.GITHUB_TOKEN)
  const raw: RawInputs = {}
  for (const spec of INPUT_SPECS) if (spec.only !== 'cli') (raw as Record<string, string>)[spec.name] = core.getInput(spec.name)
  let inputs: Inputs | undefined
  let ending: Ending
  try {
    logger.debug(`oci-build-metadata ${VERSION}, Node.js ${process.version}`)
    warnMisplaced(raw)
    inputs = parseInputs(raw)
    // the GitHub context comes from the runner's GITHUB_* variables and event file, read as
    // @actions/github reads them (src/metadata/ci-github.ts), without bundling Octokit
    ending = finished(await run(inputs, { logger, env: process.env, cwd: process.cwd() }))
  } catch (e) {
    debugStack(e)
    ending = failed(e, raw)
  }
  await report(ending, raw, inputs)
}
