/**
 * How a run ended: a result (exit 0 or 1 by its verdict) or a failure without one (exit 1 for a
 * missing image or nothing of that kind, 2 bad usage or input, 3 the registry could not be read,
 * 4 a bug in this tool).
 * Every report (outputs, job summary, CLI text, --json) is made from an Ending, so every ending
 * reports the same way.
 */
import { commandInput } from '../input-scope.js'
import type { Command } from '../input-specs.js'
import { describeError, exitCodeFor, sentence, UsageError } from '../errors.js'
import { exitCodeOf, type Result } from '../result.js'

export type Ending =
  | { kind: 'result'; result: Result; code: 0 | 1 }
  | {
      kind: 'failure'
      /** the command, when the input named a valid one (or none: attach) */
      command?: Command
      /** the image as given, when it was given */
      image?: string
      /** the one error line */
      error: string
      /** bad input with several problems: each as a line of its own (`error` joins them), for the action's ::error:: annotations */
      problems?: string[]
      code: 1 | 2 | 3 | 4
    }

export function finished(result: Result): Ending {
  return { kind: 'result', result, code: exitCodeOf(result) }
}

/** A failure; `command` and `image` are the raw inputs, for the reports to name what failed. */
export function failed(e: unknown, raw: { command?: string | undefined; image?: string | undefined } = {}): Ending {
  const command = commandInput(raw)
  const image = raw.image?.trim()
  return {
    kind: 'failure',
    ...(command ? { command } : {}),
    ...(image ? { image } : {}),
    error: describeError(e),
    ...(e instanceof UsageError && e.problems.length > 1 ? { problems: e.problems.map(p => sentence(p)) } : {}),
    code: exitCodeFor(e)
  }
}

/** The command an ending is about; a failure whose command input was not one of them counts as attach's (the default). */
export function commandOf(e: Ending): Command | undefined {
  return e.kind === 'result' ? e.result.command : e.command
}

/** attach and verify give a verdict (verified, missing); discover and get report what is there. */
export function hasVerdict(e: Ending): boolean {
  const c = commandOf(e)
  return c === undefined || c === 'attach' || c === 'verify'
}

/** What each exit code means, in the words of the README's table. */
export const EXIT_MEANING: Record<0 | 1 | 2 | 3 | 4, string> = {
  0: 'ok',
  1: 'something is missing or wrong',
  2: 'bad usage or input (nothing was written)',
  3: 'the registry could not be read or written (nothing was found missing: it could not look)',
  4: 'a bug in oci-build-metadata (please report it)'
}
