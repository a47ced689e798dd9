/**
 * The policy in the gate: loaded and checked when verify starts (before any request: a bad
 * expression or an unreadable policy-file is exit 2 with nothing fetched), then one row per
 * expression and scope. The CEL code (src/policy/cel.ts) is loaded only when a policy is given.
 */
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { describeError, isRegistryFailure, UsageError } from '../errors.js'
import type { RequirementResult } from '../result.js'
import type { CompiledCondition, ConditionOutcome } from './cel.js'
import type { PolicyVariable } from './declarations.js'
import { checkPolicyLines, policyLines } from './options.js'
import { gatherVariables, type ScopeFacts } from './variables.js'

export interface LoadedPolicy {
  conditions: CompiledCondition[]
  /** every variable some expression reads */
  reads: Set<PolicyVariable>
  evaluate(c: CompiledCondition, vars: Record<PolicyVariable, unknown>): ConditionOutcome
}

/** The expressions of `policy` and `policy-file`, compiled; undefined when there are none. */
export async function loadPolicy(
  inputs: { policy: string[]; policyFile?: string | undefined },
  cwd: string,
  identity: boolean
): Promise<LoadedPolicy | undefined> {
  const expressions = inputs.policy.map(text => ({ text, source: 'policy' }))
  if (inputs.policyFile) {
    let text: string
    try {
      text = await readFile(resolve(cwd, inputs.policyFile), 'utf8')
    } catch (e) {
      throw new UsageError(`policy-file ${inputs.policyFile} cannot be read (${(e as NodeJS.ErrnoException).code ?? describeError(e)})`, {
        hint: 'check the path'
      })
    }
    const lines = policyLines(text)
    const problem = checkPolicyLines([...inputs.policy, ...lines], `policy and policy-file ${inputs.policyFile}`)
    if (problem) throw new UsageError(problem)
    expressions.push(...lines.map(l => ({ text: l, source: `policy-file ${inputs.policyFile}` })))
  }
  if (!expressions.length) return undefined
  const { compilePolicy, evaluateCondition } = await import('./cel.js')
  const conditions = compilePolicy(expressions, { identity })
  return { conditions, reads: new Set(conditions.flatMap(c => [...c.reads])), evaluate: evaluateCondition }
}

/** One row per expression, for one scope of the gate: the expression is the requirement, the detail how it came out (`is false`, `could not be evaluated: …`). */
export async function policyRows(p: LoadedPolicy, facts: ScopeFacts, metadataEvidence?: { digest: string; by: string }): Promise<RequirementResult[]> {
  let vars: Record<PolicyVariable, unknown>
  try {
    vars = await gatherVariables(p.reads, facts)
  } catch (e) {
    // a registry that could not be read is not a false condition (exit 3)
    if (isRegistryFailure(e)) throw e
    const why = `could not be evaluated: what it reads could not be read (${describeError(e)})`
    return p.conditions.map(c => ({ requirement: c.text, kind: 'policy' as const, found: false, detail: why }))
  }
  return p.conditions.map(c => {
    if (c.reads.has('metadata') && vars.metadata === null)
      return { requirement: c.text, kind: 'policy' as const, found: false, detail: 'could not be evaluated: no metadata document passed the gate' }
    const out = p.evaluate(c, vars)
    if (out.passed)
      return {
        requirement: c.text,
        kind: 'policy' as const,
        found: true,
        detail: 'true',
        ...(metadataEvidence && c.reads.has('metadata') ? { by: metadataEvidence.by, evidence: metadataEvidence.digest } : {})
      }
    return { requirement: c.text, kind: 'policy' as const, found: false, detail: out.reason ?? 'is false' }
  })
}
