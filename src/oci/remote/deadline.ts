/**
 * One deadline per command for every retry and `Retry-After` wait against a registry: a wait that
 * would end past it is not taken, the command fails at once (exit 3) and says why. Reads after
 * writes (attach's verification) pass a deadline of their own, `verify-timeout` from the start of
 * the read-back (ReadOptions.deadline); everything else has DEFAULT_DEADLINE_SECONDS from the
 * moment the target is opened. A request in flight is bounded by
 * the idle timeout instead (an upload that makes progress is never cut short).
 */

import type { TimeBudget } from '../target.js'

/** Retrying and waiting stop this long after a command opened its registry (README: "Time budget"). */
export const DEFAULT_DEADLINE_SECONDS = 120

export class Deadline {
  private at: number
  private seconds: number
  private label: string

  constructor(
    ms: number = DEFAULT_DEADLINE_SECONDS * 1000,
    label = 'the command deadline',
    private readonly now: () => number = Date.now
  ) {
    this.at = now() + ms
    this.seconds = ms / 1000
    this.label = label
  }

  /** The deadline a caller's budget sets (a read-back's verify-timeout, from its start). */
  static of(budget: TimeBudget, now: () => number = Date.now): Deadline {
    const d = new Deadline(budget.ms, budget.label, now)
    d.at = budget.startedAt + budget.ms
    return d
  }

  /** Start again: `ms` from now, named `label` in messages (`verify-timeout`). */
  restart(ms: number, label: string): void {
    this.at = this.now() + ms
    this.seconds = ms / 1000
    this.label = label
  }

  remainingMs(): number {
    return Math.max(0, this.at - this.now())
  }

  /** Whether a wait of `ms` ends before the deadline. */
  allows(ms: number): boolean {
    return this.now() + ms <= this.at
  }

  /** `the command deadline (120 s)`, `verify-timeout (30 s)` */
  describe(): string {
    return `${this.label} (${formatSeconds(this.seconds * 1000)})`
  }
}

/** `250 ms`, `8 s`, `2.5 s`, `3 min 20 s`, `1 h 30 min` */
export function formatSeconds(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  const s = ms / 1000
  if (s <= 120) return `${Number.isInteger(s) ? s : s.toFixed(1)} s`
  if (s < 3600) {
    const m = Math.floor(s / 60)
    const rest = Math.round(s - m * 60)
    return rest ? `${m} min ${rest} s` : `${m} min`
  }
  const h = Math.floor(s / 3600)
  const m = Math.round((s - h * 3600) / 60)
  return m ? `${h} h ${m} min` : `${h} h`
}
