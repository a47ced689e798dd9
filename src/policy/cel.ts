/**
 * Release conditions in CEL (https://cel.dev), with @marcbachmann/cel-js: every expression is parsed
 * and type-checked against the declared variables (src/policy/declarations.ts) when the gate starts,
 * before any request, so a syntax error, an unknown variable, a misspelt field of the metadata
 * document or a comparison of mismatched types is exit 2 with nothing fetched. Each expression then
 * becomes a row of the gate: true passes; false fails, naming the expression; an evaluation error (a
 * field the document does not have, a null variable) fails with the reason, and never ends the run.
 *
 * This module is the only one that imports the CEL library, and it is loaded only when a policy is
 * given (a dynamic import: its own chunk of dist/). It imports nothing of the main bundle but
 * errors.js (which the Sigstore chunks import too) and the declarations only it reads: a module
 * imported from a chunk cannot be scope-hoisted into dist/bundle.js, and each one that is not costs
 * the start-up of every command (measured: 31 modules more and about 25 ms when the gathering of
 * the variables was in the chunk too).
 */
import { Environment } from '@marcbachmann/cel-js'
import { UsageError } from '../errors.js'
import { IMAGE_FIELDS, METADATA_FIELDS, POLICY_VARIABLES, WHY_NULL, type FieldType, type PolicyVariable } from './declarations.js'

/**
 * Limits on what one expression may build when it is parsed: far beyond any release condition, well
 * short of what would stall a runner.
 */
const LIMITS = { maxAstNodes: 2000, maxDepth: 64, maxListElements: 256, maxMapEntries: 256, maxCallArguments: 16 }

/** The CEL library's nested-object schema, from the declarations. */
type Schema = { [field: string]: string | Schema }
const schemaOf = (fields: { [field: string]: FieldType }): Schema => fields as Schema

function environment(): Environment {
  return new Environment({ limits: LIMITS, enableOptionalTypes: true, homogeneousAggregateLiterals: false })
    .registerVariable({ name: 'metadata', schema: schemaOf(METADATA_FIELDS) })
    .registerVariable('provenance', 'dyn')
    .registerVariable('sbom', 'dyn')
    .registerVariable({ name: 'image', schema: schemaOf(IMAGE_FIELDS) })
    .registerVariable('signer', 'map<string, dyn>')
    .registerVariable('private', 'dyn')
    .registerVariable('now', 'google.protobuf.Timestamp')
}

/** The first line of a CEL error (the library adds the expression and a caret below it). */
const firstLine = (e: unknown) => ((e as Error)?.message ?? String(e)).split('\n')[0]!.trim()

export interface CompiledCondition {
  /** the expression as given */
  text: string
  /** the variables it reads (an over-approximation: a macro's own variable of the same name counts) */
  reads: Set<PolicyVariable>
  evaluate(vars: Record<string, unknown>): unknown
}

/** Every identifier an expression names, from the parsed tree. */
function identifiers(ast: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(ast)) for (const a of ast) identifiers(a, out)
  else if (ast && typeof ast === 'object') {
    const node = ast as { op?: unknown; args?: unknown }
    if (node.op === 'id' && typeof node.args === 'string') out.add(node.args)
    else identifiers(node.args, out)
  }
  return out
}

/**
 * Parse and type-check every expression; the first that does not is a UsageError naming it, its
 * number and the reason (exit 2). `source` names where they came from (`policy`, `policy-file x`).
 */
export function compilePolicy(expressions: Array<{ text: string; source: string }>, opts: { identity: boolean }): CompiledCondition[] {
  const env = environment()
  return expressions.map(({ text, source }) => {
    const where = `${source}: ${JSON.stringify(text)}`
    let parsed: ReturnType<Environment['parse']>
    try {
      parsed = env.parse(text)
    } catch (e) {
      throw new UsageError(`${where} is not a CEL expression (${firstLine(e)})`, { hint: 'fix it; see the README for examples (one expression per line)' })
    }
    const checked = env.check(text)
    if (!checked.valid)
      throw new UsageError(`${where} does not type-check (${firstLine(checked.error)})`, {
        hint: `the variables are ${POLICY_VARIABLES.join(', ')}; the fields of metadata are those of docs/metadata.md`
      })
    if (checked.type !== 'bool' && checked.type !== 'dyn')
      throw new UsageError(`${where} is of type ${checked.type}, not a condition`, { hint: 'give an expression that is true or false, e.g. a comparison' })
    const reads = new Set([...identifiers(parsed.ast)].filter((v): v is PolicyVariable => (POLICY_VARIABLES as readonly string[]).includes(v)))
    if (reads.has('private') && !opts.identity)
      throw new UsageError(`${where} reads private, but no identity is given to decrypt it`, {
        hint: 'give identity (an age identity file) or set OCI_BUILD_METADATA_IDENTITY'
      })
    return { text, reads, evaluate: vars => parsed(vars) }
  })
}

export interface ConditionOutcome {
  passed: boolean
  /** one line: why it failed (false, or the evaluation error); never a value of the private part */
  reason?: string
}

/**
 * Evaluate one compiled condition. `vars` holds every variable (null where absent); an error is a
 * failed outcome with its reason. A condition that reads `private` fails with a reason that names no
 * field and no value of it: the row is public, the private part is not.
 */
export function evaluateCondition(c: CompiledCondition, vars: Record<PolicyVariable, unknown>): ConditionOutcome {
  let value: unknown
  try {
    value = c.evaluate(vars)
  } catch (e) {
    const nulls = [...c.reads].filter(v => vars[v] === null && WHY_NULL[v])
    const because = nulls.length ? ` (${nulls.map(v => `${v} is null: ${WHY_NULL[v]}`).join('; ')})` : ''
    if (c.reads.has('private') && vars.private !== null)
      return { passed: false, reason: 'could not be evaluated (the reason is not shown: the expression reads the private part)' }
    return { passed: false, reason: `could not be evaluated: ${firstLine(e)}${because}` }
  }
  if (value === true) return { passed: true }
  if (value === false) return { passed: false, reason: 'is false' }
  return {
    passed: false,
    reason: c.reads.has('private')
      ? 'is not true or false'
      : `is ${typeof value === 'bigint' ? `${value}` : (JSON.stringify(value) ?? String(value))}, not true or false`
  }
}
