/**
 * Fault mode `racyReferrersIndex`: a referrers index kept as a read-modify-write inside the
 * registry, as one spec-faithful registry keeps it (measured there: 10 of 240 referrers lost with 6
 * manifests of one subject pushed at once). A manifest PUT with a `subject` reads the subject's list,
 * waits `windowMs` (the registry's own I/O between read and write), and writes the list back with the
 * manifest added; concurrent PUTs to one subject each write back what they read, and the last write
 * wins, so entries are lost. A PUT of a manifest the list already holds writes nothing; a PUT of one
 * it lost (the same bytes again) adds it back. The referrers API lists what the list holds.
 */
import type { Delays } from './faults.js'

export class RacyReferrersIndex {
  private readonly lists = new Map<string, string[]>()

  constructor(
    private readonly windowMs: number,
    private readonly delays: Delays
  ) {}

  private key(repo: string, subject: string): string {
    return `${repo}\n${subject}`
  }

  /** Read, wait, write back: not atomic, on purpose. */
  async add(repo: string, subject: string, digest: string): Promise<void> {
    const k = this.key(repo, subject)
    const read = [...(this.lists.get(k) ?? [])]
    if (read.includes(digest)) return
    await this.delays.wait(this.windowMs)
    this.lists.set(k, [...read, digest])
  }

  /** A deleted manifest leaves every list of its repository. */
  remove(repo: string, digest: string): void {
    for (const [k, list] of this.lists)
      if (k.startsWith(`${repo}\n`))
        this.lists.set(
          k,
          list.filter(d => d !== digest)
        )
  }

  /** What the index lists for `subject`. */
  listed(repo: string, subject: string): Set<string> {
    return new Set(this.lists.get(this.key(repo, subject)) ?? [])
  }
}
