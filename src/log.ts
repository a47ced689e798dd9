/**
 * Logging with secret redaction. Every secret is registered with `addSecret` before its first
 * use; every line that leaves the process goes through `redact`. The action also hands each secret
 * to `core.setSecret` (`onSecret` in src/action.ts) so the runner masks it as well.
 */

export interface Logger {
  debug(message: string): void
  info(message: string): void
  warning(message: string): void
  /** Runs `fn` inside a collapsible group (GitHub) or under a heading (CLI). */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>
}

const secrets = new Set<string>()
const listeners: Array<(secret: string) => void> = []

/** Shorter strings would mask ordinary words; registries never issue secrets this short. */
const MIN_SECRET_LENGTH = 4

export function addSecret(value: string | undefined | null): void {
  if (!value || value.length < MIN_SECRET_LENGTH || secrets.has(value)) return
  secrets.add(value)
  // the base64 forms appear in Basic headers and config.json `auth` fields
  for (const l of listeners) l(value)
}

/** Called for each secret added from now on (and for those already known). */
export function onSecret(listener: (secret: string) => void): void {
  listeners.push(listener)
  for (const s of secrets) listener(s)
}

export function redact(text: string): string {
  let out = text
  for (const s of secrets) {
    if (out.includes(s)) out = out.split(s).join('***')
  }
  // Authorization headers that slipped into a message, whatever their value
  out = out.replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, '$1 ***')
  return out
}

/** For tests: forget every secret. */
export function clearSecrets(): void {
  secrets.clear()
}

/** A logger that writes nothing; the default for library use and unit tests. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warning() {},
  group: (_name, fn) => fn()
}

/** A logger for the CLI: info to stderr when verbose, warnings always, debug lines with --debug. */
export function streamLogger(opts: { verbose?: boolean; debug?: boolean; write?: (line: string) => void } = {}): Logger {
  const write = opts.write ?? ((line: string) => process.stderr.write(`${line}\n`))
  return {
    debug(m) {
      if (opts.debug) write(redact(`debug: ${m}`))
    },
    info(m) {
      if (opts.verbose) write(redact(m))
    },
    warning(m) {
      write(redact(`warning: ${m}`))
    },
    async group(name, fn) {
      if (opts.verbose) write(redact(`== ${name}`))
      return fn()
    }
  }
}
