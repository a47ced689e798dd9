/**
 * The `policy` input as src/inputs.ts validates it, with no I/O and no CEL code: one CEL expression
 * per line (blank lines skipped), within named limits. Whether each parses and type-checks is
 * decided by src/policy/cel.ts, before the gate sends any request.
 */
import type { z } from 'zod'

/** Conditions in one gate: each is a row; more is a program, not a release condition. */
export const MAX_POLICY_EXPRESSIONS = 64
/** Longest expression: CEL conditions in Kubernetes admission policies are a line or two. */
export const MAX_POLICY_EXPRESSION_LENGTH = 4096

/** The expressions of a policy text: one per line; blank lines and `//` comment lines are skipped. */
export function policyLines(s: string | undefined): string[] {
  return (s ?? '')
    .split(/\r?\n/)
    .map(x => x.trim())
    .filter(x => x !== '' && !x.startsWith('//'))
}

export function checkPolicyLines(lines: string[], source: string): string | undefined {
  if (lines.length > MAX_POLICY_EXPRESSIONS) return `${source}: ${lines.length} expressions is more than the ${MAX_POLICY_EXPRESSIONS} allowed`
  const long = lines.findIndex(l => l.length > MAX_POLICY_EXPRESSION_LENGTH)
  if (long >= 0) return `${source}: expression ${long + 1} is longer than ${MAX_POLICY_EXPRESSION_LENGTH} characters`
  return undefined
}

export function policyRules(f: { policy?: string | undefined; 'policy-file'?: string | undefined }, ctx: z.RefinementCtx) {
  const policy = policyLines(f.policy)
  const problem = checkPolicyLines(policy, 'input policy')
  if (problem) ctx.addIssue({ code: 'custom', message: problem })
  return { policy, policyFile: f['policy-file'] }
}
