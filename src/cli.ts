#!/usr/bin/env node
import { cliMain, readStdinSync } from './cli-main.js'

process.exitCode = await cliMain(process.argv.slice(2), {
  stdout: s => process.stdout.write(s),
  stderr: s => process.stderr.write(s),
  env: process.env,
  cwd: process.cwd(),
  stdoutBytes: b => process.stdout.write(b),
  readStdin: readStdinSync
})
