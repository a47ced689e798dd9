/** Durations as the gate's messages give them: a max-age as it was written, an age for a person. */

/** A duration as max-age takes it: the largest whole unit (`90d`, `36h`), so the message echoes what was given. */
export function formatAge(ms: number): string {
  const s = Math.round(ms / 1000)
  if (s === 0) return '0s'
  if (s % 86400 === 0) return `${s / 86400}d`
  if (s % 3600 === 0) return `${s / 3600}h`
  if (s % 60 === 0) return `${s / 60}m`
  return `${s}s`
}

/** How long ago, for a person: the two largest units (`3d 4h`, `2h 5m`, `45s`). */
export function formatElapsed(ms: number): string {
  let s = Math.max(0, Math.floor(ms / 1000))
  const parts: string[] = []
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1]
  ] as const) {
    if (s >= size || (unit === 's' && !parts.length)) parts.push(`${Math.floor(s / size)}${unit}`)
    s %= size
    if (parts.length === 2) break
  }
  return parts.filter(p => !/^0[dhm]$/.test(p)).join(' ')
}
