/**
 * A small glob matcher for the `sbom` input: `*`, `?`, `[...]` within one path segment and `**` for
 * any number of directories. Node 20's fs has no glob; this avoids a runtime dependency for ~80
 * lines. As in most shells, `*`, `?` and `**` do not match names starting with `.` unless the pattern
 * segment itself starts with `.`, and `**` does not follow symbolic links to directories (no loops).
 * No brace expansion: list several patterns instead.
 */
import type { Dirent } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { isAbsolute, join, resolve } from 'node:path'

export function hasMagic(pattern: string): boolean {
  return /[*?[]/.test(pattern)
}

/** One path segment's pattern as an anchored regular expression. */
export function segmentRegExp(seg: string): RegExp {
  let re = ''
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!
    if (c === '*') re += '[^/]*'
    else if (c === '?') re += '[^/]'
    else if (c === '[') {
      const end = seg.indexOf(']', i + 2)
      if (end < 0) {
        re += '\\['
        continue
      }
      let body = seg.slice(i + 1, end)
      const negate = body.startsWith('!') || body.startsWith('^')
      if (negate) body = body.slice(1)
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, m => `\\${m}`)}]`
      i = end
    } else re += c.replace(/[.+^${}()|\\/]/g, m => `\\${m}`)
  }
  return new RegExp(`^${re}$`)
}

/** Files matching `pattern` (relative to cwd or absolute), as absolute paths. */
export async function globFiles(pattern: string, cwd: string): Promise<string[]> {
  const normalized = pattern.replace(/\\/g, '/')
  const segs = normalized.split('/').filter((s, i) => s !== '' || i === 0)
  let base: string
  let i = 0
  if (isAbsolute(normalized)) {
    base = resolve('/')
    if (segs[0] === '') i = 1
  } else base = resolve(cwd)
  while (i < segs.length - 1 && !hasMagic(segs[i]!)) base = join(base, segs[i++]!)
  const out = new Set<string>()
  await walk(base, segs.slice(i), out)
  return [...out]
}

async function walk(dir: string, segs: string[], out: Set<string>): Promise<void> {
  if (segs.length === 0) return
  const [seg, ...rest] = segs as [string, ...string[]]
  if (seg === '**') {
    await walk(dir, rest, out)
    for (const e of await list(dir)) {
      if (e.name.startsWith('.') || !e.isDirectory()) continue
      await walk(join(dir, e.name), segs, out)
    }
    return
  }
  if (!hasMagic(seg)) {
    const p = join(dir, seg)
    if (rest.length === 0) {
      if (await isFile(p)) out.add(p)
    } else await walk(p, rest, out)
    return
  }
  const re = segmentRegExp(seg)
  const dotOk = seg.startsWith('.')
  for (const e of await list(dir)) {
    if ((e.name.startsWith('.') && !dotOk) || !re.test(e.name)) continue
    const p = join(dir, e.name)
    if (rest.length === 0) {
      if (e.isFile() || (e.isSymbolicLink() && (await isFile(p)))) out.add(p)
    } else if (e.isDirectory() || (e.isSymbolicLink() && (await isDir(p)))) await walk(p, rest, out)
  }
}

async function list(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true })
  } catch {
    return []
  }
}
async function isFile(p: string): Promise<boolean> {
  return stat(p).then(s => s.isFile(), () => false)
}
async function isDir(p: string): Promise<boolean> {
  return stat(p).then(s => s.isDirectory(), () => false)
}
