/**
 * Which input applies to which command, from the one table (src/input-specs.ts): the descriptions
 * action.yml shows, and the inputs given to a command they do not apply to (the CLI refuses or
 * warns, the action warns).
 */
import { FIELDS, type RawInputs } from './input-fields.js'
import { COMMANDS, type Command, INPUT_SPECS, type InputSpec } from './input-specs.js'

/** The inputs set to something other than their default (the runner passes an unset input as ''), in the order given. */
export function givenInputs(raw: RawInputs): string[] {
  return Object.entries(raw).flatMap(([name, value]) => {
    const spec = INPUT_SPECS.find(s => s.name === name)
    const v = value?.trim()
    return spec && v && v !== (spec.actionDefault ?? spec.default) ? [name] : []
  })
}

/** The command the raw input names, read as parseInputs reads it (blank: attach); undefined when it names none. */
export function commandInput(raw: RawInputs): Command | undefined {
  const c = FIELDS.command.safeParse(raw.command)
  return c.success ? c.data : undefined
}

/** An input's description in action.yml: the table's, and which commands it applies to (others warn when it is set). */
export function actionDescription(spec: InputSpec): string {
  return spec.commands.length < COMMANDS.length ? `${spec.description} Applies to: ${spec.commands.join(', ')}.` : spec.description
}

export interface Misplaced {
  name: string
  /** `error`: exit 2 on the CLI; `warn`: a warning. The action warns for both (see InputSpec.elsewhere). */
  severity: 'error' | 'warn'
  /** one line, naming the input (as `name(input)` spells it) and the command */
  message: string
}

/**
 * The inputs in `given` (set, and not to their default) that do not apply to `command`, from the one
 * table above. `name` spells an input as its entry does: `--sbom` on the CLI, `input sbom` in the action.
 */
export function misplacedInputs(command: Command, given: Iterable<string>, name: (input: string) => string): Misplaced[] {
  const out: Misplaced[] = []
  for (const g of given) {
    const spec = INPUT_SPECS.find(s => s.name === g)
    if (!spec || spec.commands.includes(command) || spec.elsewhere === 'ignore') continue
    const forWhat = spec.commands.length === 1 ? `${spec.commands[0]} only` : spec.commands.join(' and ')
    out.push({
      name: g,
      severity: spec.elsewhere ?? 'error',
      message: `${name(g)} does not apply to ${command}: it is for ${forWhat}${spec.instead ? ` (${spec.instead})` : ''}. Leave it out of ${command}`
    })
  }
  return out
}
