/**
 * Orchestration: attach | verify | discover | get. Receives validated Inputs (src/inputs.ts checked every
 * rule that needs no I/O) and its dependencies, returns a Result, performs no formatting and reads
 * no @actions input, so the action and the CLI share it.
 */
import { attachCommand } from './attach/command.js'
import type { Inputs } from './inputs.js'
import { addSecret, type Logger } from './log.js'
import { openTarget, type OpenOptions } from './oci/open.js'
import type { ImageRef } from './oci/reference.js'
import type { Result, RunDeps } from './result.js'
import { getCommand } from './get/command.js'
import { verifyCommand } from './verify/command.js'
import { discoverCommand } from './verify/discover.js'

export type { AttachResult, DiscoverResult, GetResult, Result, RunDeps, VerifyResult } from './result.js'

/** What opening a registry needs of the inputs. */
export function openOptions(inputs: Inputs): OpenOptions {
  return {
    ...(inputs.username && inputs.password ? { credentials: { username: inputs.username, password: inputs.password } } : {}),
    insecureRegistries: inputs.insecureRegistries
  }
}

export async function run(inputs: Inputs, deps: RunDeps): Promise<Result> {
  const { logger } = deps
  if (inputs.password) addSecret(inputs.password)
  // the private input is a secret from the start: it is only ever encrypted (src/private/)
  addSecret(inputs.private)
  const ref = inputs.ref
  const open = deps.openTarget ?? ((r: ImageRef, i: Inputs, l: Logger) => openTarget(r, openOptions(i), l, deps.env))
  const target = open(ref, inputs, logger)

  if (inputs.command === 'verify') return verifyCommand(target, ref, inputs, deps)
  if (inputs.command === 'discover') return discoverCommand(target, ref, inputs, deps)
  if (inputs.command === 'get') return getCommand(target, ref, inputs, deps)
  return attachCommand(target, ref, inputs, deps)
}
