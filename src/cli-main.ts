/**
 * The CLI: argv → the same Inputs → the same run(). Flags carry the input names (`--metadata-file`).
 * Kept free of process-wide effects so tests can run it in-process.
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { describeError, ExitCode, exitCodeFor, UsageError } from './errors.js'
import { INPUT_SPECS, parseInputs, type RawInputs } from './inputs.js'
import { addSecret, redact, streamLogger } from './log.js'
import { jsonReport } from './report/outputs.js'
import { renderText } from './report/text.js'
import { DEFAULT_DEADLINE_SECONDS } from './oci/remote/deadline.js'
import { run, type RunDeps } from './run.js'
import { VERSION } from './version.js'

export interface CliIo {
  stdout: (s: string) => void
  stderr: (s: string) => void
  env: NodeJS.ProcessEnv
  cwd: string
  readStdin?: () => string
}

const BOOLEAN_FLAGS = new Set(['provenance', 'sign', 'summary', 'json', 'help', 'version', 'verbose', 'debug', 'password-stdin'])
const CLI_ONLY = ['json', 'help', 'version', 'verbose', 'debug', 'password-stdin']

export function helpText(): string {
  const lines = [
    'Usage: oci-build-metadata <attach|verify|discover> [image] [options]',
    '',
    'Attach versioned build metadata (and SBOMs, provenance) to an OCI image, verify it through the',
    'referrers API, and gate releases on it. Works on registries and on OCI layouts (oci:<dir>:<tag>).',
    '',
    'Commands:',
    '  attach     write the metadata (and --sbom, --provenance), then verify it (default)',
    '  verify     read only: fail unless --require is met (the release gate)',
    '  discover   print the referrers tree of the image',
    '',
    'Options (the same names as the action inputs):'
  ]
  for (const s of INPUT_SPECS) {
    if (s.name === 'summary') continue
    lines.push(`  --${s.name}${BOOLEAN_FLAGS.has(s.name) ? '' : ' <value>'}`.padEnd(34) + s.description + (s.default ? ` (default: ${s.default})` : ''))
  }
  lines.push(
    `${'  --password-stdin'.padEnd(34)}read the password from standard input`,
    `${'  --json'.padEnd(34)}print the outputs as one JSON object`,
    `${'  --verbose'.padEnd(34)}log each step to stderr`,
    `${'  --debug'.padEnd(34)}log requests too (secrets are masked)`,
    `${'  --help'.padEnd(34)}this text`,
    `${'  --version'.padEnd(34)}print the version`,
    '',
    'Exit codes:',
    '  0  ok',
    '  1  verification or the gate found something missing or wrong',
    '  2  bad usage or input (nothing was written)',
    '  3  the registry could not be read or written: network, TLS certificate, proxy, refused',
    '     credentials, throttled or unavailable (nothing was found missing: it could not look)',
    '',
    'Environment:',
    '  OCI_BUILD_METADATA_PASSWORD    the password',
    "  DOCKER_CONFIG                  the directory of Docker's config.json (credentials)",
    '  HTTPS_PROXY, HTTP_PROXY        proxy for https:// and http:// registries (either case)',
    '  NO_PROXY                       hosts reached directly: example.com (and its subdomains),',
    '                                 .example.com, host:port, 10.0.0.0/8, or * for all',
    '  NODE_EXTRA_CA_CERTS            a PEM file of extra CA certificates (private registries)',
    '',
    `Retries and waits (Retry-After) stop at each command's deadline: ${DEFAULT_DEADLINE_SECONDS} s, and`,
    'verify-timeout for the read-back after a write.'
  )
  return `${lines.join('\n')}\n`
}

interface Parsed {
  command?: string
  raw: RawInputs
  flags: Set<string>
}

/** List inputs that may be repeated: `--sbom a --sbom b`. */
const REPEATABLE = new Set(['sbom', 'require', 'annotations', 'insecure-registries'])

/** node:util's parseArgs over the input names; a boolean may also be given as `--flag=false`. */
export function parseArgv(argv: string[]): Parsed {
  const names = [...INPUT_SPECS.map(s => s.name), ...CLI_ONLY]
  const options = Object.fromEntries(names.map(n => [n, { type: 'string' as const, multiple: true }]))
  // parseArgs' booleans take no value; ours may (`--provenance=false`): a bare flag means true
  const args = argv.map(a => (a.startsWith('--') && !a.includes('=') && BOOLEAN_FLAGS.has(a.slice(2)) ? `${a}=true` : a === '-h' ? '--help=true' : a))
  let parsed: ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true; strict: true }>>
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true })
  } catch (e) {
    const option = /'(--?[^' ]+)[^']*'/.exec((e as Error).message)?.[1] ?? 'an option'
    const code = (e as { code?: string }).code
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown option ${option}`, { hint: 'see --help' })
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new UsageError(`option ${option} needs a value`)
    throw new UsageError(`the command line cannot be read: ${(e as Error).message}`, { hint: 'see --help' })
  }
  const raw: Record<string, string> = {}
  const flags = new Set<string>()
  for (const [name, values] of Object.entries(parsed.values)) {
    const given = (values ?? []) as string[]
    if (CLI_ONLY.includes(name)) {
      if (given.at(-1) === 'true') flags.add(name)
      continue
    }
    raw[name] = REPEATABLE.has(name) ? given.join('\n') : (given.at(-1) as string)
  }
  const [command, image, ...extra] = parsed.positionals
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`, { hint: 'give one image (see --help)' })
  if (image !== undefined) {
    if (raw.image !== undefined && raw.image !== image)
      throw new UsageError('the image was given twice, as an argument and as --image', { hint: 'give it once' })
    raw.image = image
  }
  if (command !== undefined) raw.command = command
  return { ...(command !== undefined ? { command } : {}), raw: raw as RawInputs, flags }
}

/** Runs the CLI; returns the exit code. */
export async function cliMain(argv: string[], io: CliIo, deps: Partial<RunDeps> = {}): Promise<number> {
  let json = false
  try {
    const parsed = parseArgv(argv)
    json = parsed.flags.has('json')
    if (parsed.flags.has('version')) {
      io.stdout(`oci-build-metadata ${VERSION}\n`)
      return ExitCode.OK
    }
    if (parsed.flags.has('help') || argv.length === 0) {
      io.stdout(helpText())
      return argv.length === 0 ? 2 : 0
    }
    if (parsed.flags.has('password-stdin')) {
      const pw = (io.readStdin?.() ?? '').replace(/\r?\n$/, '')
      if (!pw) throw new UsageError('--password-stdin: nothing on standard input')
      parsed.raw.password = pw
    } else if (parsed.raw.password === undefined && io.env.OCI_BUILD_METADATA_PASSWORD) {
      parsed.raw.password = io.env.OCI_BUILD_METADATA_PASSWORD
    }
    addSecret(parsed.raw.password)
    parsed.raw.summary = 'false'
    const inputs = parseInputs(parsed.raw)
    const logger =
      deps.logger ??
      streamLogger({ verbose: parsed.flags.has('verbose') || parsed.flags.has('debug'), debug: parsed.flags.has('debug'), write: l => io.stderr(`${l}\n`) })
    logger.debug(`oci-build-metadata ${VERSION}, Node.js ${process.version}`)
    const result = await run(inputs, { env: io.env, cwd: io.cwd, ...deps, logger })
    const code = result.verified ? ExitCode.OK : ExitCode.FAILED
    if (json) io.stdout(`${redact(JSON.stringify({ ...jsonReport(result), 'exit-code': code }, null, 2))}\n`)
    else io.stdout(redact(renderText(result)))
    for (const p of result.problems) io.stderr(`${redact(`error: ${p}`)}\n`)
    return code
  } catch (e) {
    const line = describeError(e)
    const code = exitCodeFor(e)
    // --json: a script still gets an object, saying there is no verdict (nothing could be looked at)
    if (json) io.stdout(`${redact(JSON.stringify({ verified: false, missing: [], 'exit-code': code, error: line }, null, 2))}\n`)
    io.stderr(`${redact(`error: ${line}`)}\n`)
    return code
  }
}

export function readStdinSync(): string {
  try {
    return readFileSync(0, 'utf8')
  } catch {
    return ''
  }
}
