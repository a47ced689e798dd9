/**
 * A zod schema for each input, made from its entry in the table (src/input-specs.ts): the default
 * for an empty value, then its type — zod's stringbool for a boolean, zod's enum for an enum, a
 * refinement for a number's range — each with the message a user sees. src/inputs.ts adds the
 * rules of single inputs the table cannot say (a digest, a reference) and the rules across inputs.
 */
import { z } from 'zod'
import { FALSE_WORDS, INPUT_SPECS, type InputName, type InputSpec, type InputSpecs, TRUE_WORDS } from './input-specs.js'

type Spec = InputSpecs[number]

/** What a field of each type gives: the table's literal types, so a typo in a name does not compile. */
type ValueOf<S> = S extends { type: 'boolean' }
  ? boolean
  : S extends { type: 'list' }
    ? string[]
    : S extends { type: 'enum'; values: readonly (infer V)[] }
      ? V
      : S extends { type: 'number' }
        ? number
        : string | undefined

/** Every input's schema, by name: from a raw string (or nothing) to its typed value. */
export type FieldSchemas = { [S in Spec as S['name']]: z.ZodType<ValueOf<S>, string | undefined> }

/** Given: set, and not only blanks. The runner passes an unset input as ''. */
const isGiven = (v: string | undefined): v is string => v !== undefined && v.trim() !== ''

/** Newline or comma separated, each entry trimmed, blanks dropped. */
export const splitList = (s: string | undefined): string[] =>
  (s ?? '')
    .split(/[\n,]/)
    .map(x => x.trim())
    .filter(Boolean)

/** `a or b`, `one of a, b, c` */
const choice = (values: readonly string[]) => (values.length > 2 ? `one of ${values.join(', ')}` : values.join(' or '))

/** A number input's check: digits (and a fraction unless whole), within the range. */
function inRange(spec: InputSpec, s: string): boolean {
  const n = Number(s)
  return (spec.whole ? /^\d+$/ : /^\d+(\.\d+)?$/).test(s) && Number.isFinite(n) && n >= (spec.min ?? 0) && n <= (spec.max ?? Number.MAX_SAFE_INTEGER)
}

/** The schema of one input, from its entry. */
function fieldOf(spec: InputSpec): z.ZodType {
  const { name } = spec
  // an empty value is not given: the default applies (defaults are given as the user would write them)
  const raw = z
    .string()
    .optional()
    .transform(v => (isGiven(v) ? v : spec.default))
  const word = raw.transform(v => (v ?? '').trim())
  switch (spec.type ?? 'text') {
    case 'boolean':
      return word.pipe(
        z.stringbool({ truthy: TRUE_WORDS, falsy: FALSE_WORDS, case: 'insensitive', error: iss => `input ${name} must be true or false, got "${iss.input}"` })
      )
    case 'enum': {
      const values = spec.values as readonly [string, ...string[]]
      return word.pipe(z.enum(values, { error: iss => `input ${name} must be ${choice(values)}, got "${iss.input}"` }))
    }
    case 'number': {
      const what = spec.whole ? 'a whole number' : `a number of ${spec.unit}`
      return word
        .refine(s => inRange(spec, s), { error: iss => `input ${name} must be ${what} from ${spec.min} to ${spec.max}, got "${iss.input}"` })
        .transform(Number)
    }
    case 'list':
      return raw.transform(splitList)
    case 'raw':
    case 'lines':
      return raw
    default:
      return word.transform(v => v || undefined)
  }
}

/** Each input's schema, from the table. */
export const FIELDS = Object.fromEntries(INPUT_SPECS.map(s => [s.name, fieldOf(s)])) as unknown as FieldSchemas

/** The raw inputs: a string (or nothing) for each input of the table. */
export type RawInputs = { [N in InputName]?: string | undefined }
