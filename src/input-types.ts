/**
 * The vocabulary of the input table (src/input-specs.ts): the commands, the values of each enum
 * input, the words of a boolean, the numeric limits, and the shape of an entry.
 */
/** The commands; `attach` is the default (the action's `command` input, the CLI's first word). */
export const COMMANDS = ['attach', 'verify', 'discover', 'get'] as const
export type Command = (typeof COMMANDS)[number]

export const MODES = ['artifact', 'annotations'] as const
export type Mode = (typeof MODES)[number]
export const PLATFORM_SCOPES = ['index', 'each'] as const
/** discover's output formats, as `oras discover --format` names them. */
export const DISCOVER_FORMATS = ['tree', 'table', 'json'] as const

/** The words a true/false input takes, in any case (the action's YAML, the CLI's `--name=yes`). */
export const TRUE_WORDS = ['true', '1', 'yes']
export const FALSE_WORDS = ['false', '0', 'no']

/** Default seconds to wait for a registry to show what was written (GHCR and Hub lag a little). */
export const DEFAULT_VERIFY_TIMEOUT_SECONDS = 30
/** Upper bound on verify-timeout: a job should not hang for an hour on a typo. */
export const MAX_VERIFY_TIMEOUT_SECONDS = 600
/** Levels of referrers of referrers discover shows by default: an image's SBOM, its attestation, that one's signature, and one more. */
export const DEFAULT_DISCOVER_DEPTH = 4
/** The deepest discover goes: each level is one listing per node, and a hostile registry could nest forever. */
export const MAX_DISCOVER_DEPTH = 8

/**
 * How an input's value is read (src/input-fields.ts makes its zod schema). Every input arrives as a
 * string; an empty one is not given (the runner passes unset inputs as ''), and takes the default.
 * - `text`: trimmed; `raw`: as given (a password may hold spaces; a reference is quoted as given)
 * - `boolean`: one of TRUE_WORDS or FALSE_WORDS, in any case; the CLI takes `--name`,
 *   `--name=false` or `--name false`
 * - `list`: newline or comma separated, trimmed; `lines`: as given, parsed a line at a time
 *   (annotations, sigstore's URLs). The CLI takes both repeatedly (`--sbom a --sbom b`), joined by
 *   newlines; any other option given twice counts once, the last
 * - `enum`: one of `values`; `number`: from `min` to `max`, `whole` or not, in `unit`
 */
export type InputType = 'text' | 'raw' | 'boolean' | 'list' | 'lines' | 'enum' | 'number'

/** Each input: name, type, description, default. action.yml and the CLI's --help are checked against this. */
export interface InputSpec {
  name: string
  /** default `text` */
  type?: InputType
  /** `enum`: the values */
  values?: readonly string[]
  /** `number`: the range, whether it is whole, its unit */
  min?: number
  max?: number
  whole?: boolean
  unit?: string
  description: string
  default?: string
  /**
   * action.yml's default when it differs from the CLI's: an expression the runner evaluates in the
   * step's context (input defaults may use `matrix`, `strategy`, `github`, …)
   */
  actionDefault?: string
  required?: boolean
  /** the commands it applies to */
  commands: readonly Command[]
  /**
   * Given to a command it does not apply to: `error` (exit 2: it would suggest that something was
   * written or checked that was not), `warn` (harmless: it only tunes how a command it does not
   * apply to would work), or `ignore` (the action fills it in for every command, e.g. `matrix`).
   * The action only ever warns: workflows share inputs between steps. Default `error`.
   */
  elsewhere?: 'error' | 'warn' | 'ignore'
  /** what to do instead, for the misplaced-input message (`verify only reads: run attach to attach an SBOM`) */
  instead?: string
  /** `cli`: a flag of the CLI only, not an input of the action (output formats for a terminal); `action`: an input of the action only */
  only?: 'cli' | 'action'
  /** the CLI takes it as its first word (`oci-build-metadata verify …`) rather than among the options */
  word?: boolean
}
