/**
 * The CLI: argv → the same Inputs → the same run() → src/report/. Flags carry the input names
 * (`--metadata-file`). Kept free of process-wide effects so tests can run it in-process.
 *
 *   oci-build-metadata [attach|verify|discover|get] <image> [options]    (no command: attach)
 *   oci-build-metadata help [command]                                   (exit 0)
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { CLI_FLAGS, helpText } from './cli-help.js'
import { ExitCode, isBug, UsageError } from './errors.js'
import { givenInputs, misplacedInputs } from './input-scope.js'
import { COMMANDS, type Command, FALSE_WORDS, INPUT_SPECS, TRUE_WORDS } from './input-specs.js'
import { parseInputs, type RawInputs } from './inputs.js'
import { addSecret, redact, streamLogger } from './log.js'
import { type Ending, failed, finished } from './report/ending.js'
import { jsonReport } from './report/outputs.js'
import { renderText } from './report/text.js'
import { run, type RunDeps } from './run.js'
import { VERSION } from './version.js'

export interface CliIo {
  stdout: (s: string) => void
  stderr: (s: string) => void
  /** bytes to standard output exactly (get without --output); default: `stdout` with the bytes as UTF-8 */
  stdoutBytes?: (b: Uint8Array) => void
  env: NodeJS.ProcessEnv
  cwd: string
  readStdin?: () => string
}

const CLI_ONLY = CLI_FLAGS.map(([name]) => name)
/** The CLI's options: the table's inputs but the action's own (summary), and its own flags. */
const INPUTS = INPUT_SPECS.filter(s => s.only !== 'action')
const BOOLEANS = new Set([...INPUTS.filter(s => s.type === 'boolean').map(s => s.name), ...CLI_ONLY])
const NAMES = new Set([...INPUTS.map(s => s.name), ...CLI_ONLY])
/** Inputs that may be repeated: `--sbom a --sbom b` (lists and lines, joined by newlines). */
const REPEATABLE = new Set(INPUTS.filter(s => s.type === 'list' || s.type === 'lines').map(s => s.name))
const isTrueWord = (w: string | undefined) => w !== undefined && TRUE_WORDS.includes(w.toLowerCase())
/** What a boolean flag may be followed by, as its value (`--provenance false`). */
const isBooleanWord = (w: string | undefined) => w !== undefined && (isTrueWord(w) || FALSE_WORDS.includes(w.toLowerCase()))
/** `--json`, `--json=yes`: a CLI flag set, read before the command line is (to answer in JSON even when it cannot be read). */
const flagSet = (argv: string[], name: string) => argv.some(a => a === `--${name}` || (a.startsWith(`--${name}=`) && isTrueWord(a.slice(name.length + 3))))

export { helpText }

interface Parsed {
  command?: Command
  /** `help [command]`, or `--help`: whose help to print ('' for the whole tool) */
  help?: Command | ''
  raw: RawInputs
  flags: Set<string>
}

const isOption = (a: string | undefined): boolean => a === '-h' || (a?.startsWith('--') === true && NAMES.has(a.slice(2).split('=')[0] as string))

/**
 * argv for node:util's parseArgs, whose booleans take no value and whose string options refuse a
 * value that starts with `-`: a boolean takes an optional value (`--provenance`, `--provenance=false`,
 * `--provenance false`), and a string option takes the next word unless it is one of our options
 * (`--max-age -1d` reaches the input check, which says what is wrong with it; `--digest --json`
 * lacks a value).
 */
function normalize(argv: string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string
    const next = argv[i + 1]
    if (a === '-h') out.push('--help=true')
    else if (a.startsWith('--') && !a.includes('=') && BOOLEANS.has(a.slice(2))) {
      if (isBooleanWord(next)) {
        out.push(`${a}=${next}`)
        i++
      } else out.push(`${a}=true`)
    } else if (a.startsWith('--') && !a.includes('=') && NAMES.has(a.slice(2)) && next?.startsWith('-')) {
      if (isOption(next)) throw new UsageError(`option ${a} needs a value`, { hint: `give it as ${a}=<value>` })
      out.push(`${a}=${next}`)
      i++
    } else out.push(a)
  }
  return out
}

const isCommand = (s: string | undefined): s is Command => s !== undefined && (COMMANDS as readonly string[]).includes(s)

/** The command line → raw inputs, flags and the command; refuses what it cannot read (UsageError). */
export function parseArgv(argv: string[]): Parsed {
  const options = Object.fromEntries([...NAMES].map(n => [n, { type: 'string' as const, multiple: true }]))
  // not strict: parseArgs hands back every option as a token, and the refusals are ours, by name
  // (its own errors would have to be read back from their message text for the option's name)
  const parsed = parseArgs({ args: normalize(argv), options, allowPositionals: true, strict: false, tokens: true })
  for (const t of parsed.tokens) {
    if (t.kind !== 'option') continue
    if (!NAMES.has(t.name)) throw new UsageError(`unknown option ${t.rawName}`, { hint: 'see --help' })
    if (t.value === undefined) throw new UsageError(`option ${t.rawName} needs a value`, { hint: `give it as ${t.rawName}=<value>` })
  }
  const raw: Record<string, string> = {}
  const flags = new Set<string>()
  for (const [name, values] of Object.entries(parsed.values)) {
    const list = (values ?? []) as string[]
    if (CLI_ONLY.includes(name)) {
      if (isTrueWord(list.at(-1))) flags.add(name)
      continue
    }
    raw[name] = REPEATABLE.has(name) ? list.join('\n') : (list.at(-1) as string)
  }
  const [first, second, ...extra] = parsed.positionals
  if (first === 'help') {
    if (second !== undefined && !isCommand(second))
      throw new UsageError(`help: there is no command "${second}"`, { hint: `give one of ${COMMANDS.join(', ')}` })
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`, { hint: 'oci-build-metadata help [command]' })
    return { help: second ?? '', raw: raw as RawInputs, flags }
  }
  // `IMAGE` alone is attach's; two words are a command and an image (an unknown command is named by the input check)
  const [command, image] = isCommand(first) || second !== undefined ? [first, second] : [undefined, first]
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`, { hint: 'give one image (see --help)' })
  if (image !== undefined) {
    if (raw.image !== undefined && raw.image !== image)
      throw new UsageError('the image was given twice, as an argument and as --image', { hint: 'give it once' })
    raw.image = image
  }
  if (command !== undefined) raw.command = command
  const known = isCommand(command) ? command : undefined
  return { ...(known ? { command: known } : {}), ...(flags.has('help') ? { help: known ?? '' } : {}), raw: raw as RawInputs, flags }
}

/** Options given to a command they do not apply to: exit 2 naming both, or a warning when harmless. */
function checkPlacement(p: Parsed, io: CliIo): void {
  const command = p.command ?? (p.raw.command === undefined ? 'attach' : undefined)
  if (!command) return // an unknown command: the input check names it
  const found = misplacedInputs(command, givenInputs(p.raw), n => `option --${n}`)
  const errors = found.filter(m => m.severity === 'error')
  if (errors.length) throw new UsageError(errors.map(m => m.message).join('; '))
  for (const m of found) io.stderr(`${redact(`warning: ${m.message}`)}\n`)
  if (p.flags.has('json') && p.raw.format !== undefined && p.raw.format !== 'json')
    throw new UsageError(`--json and --format ${p.raw.format} ask for two outputs`, { hint: 'give one of them' })
}

/** Print how the run ended: text or JSON on stdout, error lines on stderr. */
function print(ending: Ending, json: boolean, format: 'tree' | 'table' | 'json', io: CliIo): void {
  if (ending.kind === 'failure') {
    // --json: a script still gets an object, saying there is no verdict (nothing could be looked at)
    if (json) io.stdout(`${redact(JSON.stringify(jsonReport(ending), null, 2))}\n`)
    io.stderr(`${redact(`error: ${ending.error}`)}\n`)
    return
  }
  const r = ending.result
  if (json || (r.command === 'discover' && format === 'json')) io.stdout(`${redact(JSON.stringify(jsonReport(ending), null, 2))}\n`)
  else if (r.command === 'get' && !r.output) {
    // the content itself, byte for byte; anything said about it goes to stderr
    if (io.stdoutBytes) io.stdoutBytes(r.content.bytes)
    else io.stdout(Buffer.from(r.content.bytes).toString('utf8'))
    for (const n of r.notes) io.stderr(`${redact(`note: ${n}`)}\n`)
  } else io.stdout(redact(renderText(r, format === 'table' ? { format } : {})))
  if (r.command === 'attach' || r.command === 'verify') for (const p of r.problems) io.stderr(`${redact(`error: ${p}`)}\n`)
}

/** Runs the CLI; returns the exit code. */
export async function cliMain(argv: string[], io: CliIo, deps: Partial<RunDeps> = {}): Promise<number> {
  // guessed before the command line is read, so that a command line that cannot be read still answers
  // in JSON; once it is read, the flags as read (`--json false` is no JSON)
  let json = flagSet(argv, 'json')
  let debug = flagSet(argv, 'debug')
  // likewise the command, for the report of a command line that cannot be read
  const first = argv.find(a => !a.startsWith('-'))
  let raw: RawInputs = isCommand(first) ? { command: first } : {}
  try {
    const parsed = parseArgv(argv)
    raw = parsed.raw
    json = parsed.flags.has('json')
    debug = parsed.flags.has('debug')
    if (parsed.flags.has('version')) {
      io.stdout(`oci-build-metadata ${VERSION}\n`)
      return ExitCode.OK
    }
    if (parsed.help !== undefined || argv.length === 0) {
      io.stdout(helpText(parsed.help || undefined))
      return argv.length === 0 ? ExitCode.USAGE : ExitCode.OK
    }
    checkPlacement(parsed, io)
    if (parsed.flags.has('password-stdin')) {
      const pw = (io.readStdin?.() ?? '').replace(/\r?\n$/, '')
      if (!pw) throw new UsageError('--password-stdin: nothing on standard input', { hint: 'pipe the password in, e.g. echo "$TOKEN" | … --password-stdin' })
      parsed.raw.password = pw
    } else if (parsed.raw.password === undefined && io.env.OCI_BUILD_METADATA_PASSWORD) {
      parsed.raw.password = io.env.OCI_BUILD_METADATA_PASSWORD
    }
    addSecret(parsed.raw.password)
    const inputs = parseInputs(parsed.raw)
    const logger =
      deps.logger ??
      streamLogger({ verbose: parsed.flags.has('verbose') || parsed.flags.has('debug'), debug: parsed.flags.has('debug'), write: l => io.stderr(`${l}\n`) })
    logger.debug(`oci-build-metadata ${VERSION}, Node.js ${process.version}`)
    const result = await run(inputs, { env: io.env, cwd: io.cwd, printsContent: !json, ...deps, logger })
    const ending = finished(result)
    print(ending, json, inputs.format, io)
    return ending.code
  } catch (e) {
    // a bug's stack only with --debug: the line alone says what broke and asks for a report
    if (debug && isBug(e) && e instanceof Error && e.stack) io.stderr(`${redact(`debug: ${e.stack}`)}\n`)
    const ending = failed(e, raw)
    print(ending, json, 'tree', io)
    return ending.code
  }
}

export function readStdinSync(): string {
  try {
    return readFileSync(0, 'utf8')
  } catch {
    return ''
  }
}
