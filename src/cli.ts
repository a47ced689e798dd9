/**
 * The CLI's process wiring: argv, stdio, environment and exit code around cliMain (src/cli-main.ts).
 * dist/cli.js (the package's `bin`) calls it from the one bundle (src/bundle.ts).
 */
import { cliMain, readStdinSync } from './cli-main.js'

export async function cli(): Promise<void> {
  process.exitCode = await cliMain(process.argv.slice(2), {
    stdout: s => process.stdout.write(s),
    stderr: s => process.stderr.write(s),
    env: process.env,
    cwd: process.cwd(),
    stdoutBytes: b => process.stdout.write(b),
    readStdin: readStdinSync
  })
}
