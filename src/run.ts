/**
 * Orchestration: attach | verify | discover. Receives validated Inputs and its dependencies, returns
 * a Result, performs no formatting and reads no @actions input (so the action and the CLI share it).
 * Every precondition that needs no I/O is checked here, before the target is even opened.
 */
import { UsageError } from './errors.js'
import type { Inputs } from './inputs.js'
import { addSecret, type Logger } from './log.js'
import { openTarget } from './oci/open.js'
import { parseReference, type ImageRef } from './oci/reference.js'
import { subjectDigest } from './attach/subject.js'
import { attachCommand } from './attach/command.js'
import { discoverCommand, verifyCommand } from './verify/command.js'
import { KNOWN_REQUIREMENTS } from './verify/gate.js'
import type { Result, RunDeps } from './result.js'

export type { Result, RunDeps } from './result.js'

function checkRequirements(reqs: string[]): void {
  for (const r of reqs) {
    if ((KNOWN_REQUIREMENTS as readonly string[]).includes(r)) continue
    if (/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i.test(r)) continue
    throw new UsageError(`require: "${r}" is neither metadata, sbom, provenance nor an artifactType (type/subtype)`)
  }
}

function checkUserAnnotations(a: Record<string, string>, prefix: string): void {
  for (const k of Object.keys(a)) {
    if (k === prefix || k.startsWith(`${prefix}.`)) throw new UsageError(`annotations: key ${k} is reserved for the metadata document (prefix ${prefix})`, { hint: 'choose another key' })
  }
}

export async function run(inputs: Inputs, deps: RunDeps): Promise<Result> {
  const { logger } = deps
  if (inputs.password) addSecret(inputs.password)
  const ref = parseReference(inputs.image)
  subjectDigest(ref, inputs.digest) // agreement check before anything else
  checkRequirements(inputs.require)
  checkUserAnnotations(inputs.annotations, inputs.annotationPrefix)
  const open = deps.openTarget ?? ((r: ImageRef, i: Inputs, l: Logger) => openTarget(r, i, l, deps.env))
  const target = open(ref, inputs, logger)

  if (inputs.command === 'verify') return verifyCommand(target, ref, inputs, deps)
  if (inputs.command === 'discover') return discoverCommand(target, ref, inputs, deps)
  return attachCommand(target, ref, inputs, deps)
}
