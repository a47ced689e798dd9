/**
 * The CLI's process wiring: argv, stdio, environment and exit code around cliMain (src/cli-main.ts).
 * dist/cli.js (the package's `bin`) calls it from the one bundle (src/bundle.ts).
 */
import { cliMain, readStdinSync } from './cli-main.js'
import { describeError, ExitCode } from './errors.js'
import { redact } from './log.js'

export async function cli(): Promise<void> {
  try {
    process.exitCode = await cliMain(process.argv.slice(2), {
      stdout: s => process.stdout.write(s),
      stderr: s => process.stderr.write(s),
      env: process.env,
      cwd: process.cwd(),
      stdoutBytes: b => process.stdout.write(b),
      readStdin: readStdinSync
    })
  } catch (e) {
    // cliMain reports every ending itself; what escapes it is a bug in the reporting: one line, exit 4
    if (process.argv.includes('--debug') && e instanceof Error && e.stack) process.stderr.write(`${redact(`debug: ${e.stack}`)}\n`)
    process.stderr.write(`${redact(`error: ${describeError(e)}`)}\n`)
    process.exitCode = ExitCode.INTERNAL
  }
}
