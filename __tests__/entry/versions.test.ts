// One version for users: the README's examples (`uses: …/oci-build-metadata@vN`, `npx
// oci-build-metadata@N`) name the major tag that the release workflow moves when package.json's
// version is released, and the npm major that version publishes.
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version
const MAJOR = VERSION.split('.')[0] as string
const RELEASE = readFileSync(join('.github', 'workflows', 'release.yml'), 'utf8')
const DOCS = ['README.md', ...readdirSync('docs').map(f => join('docs', f))].filter(f => f.endsWith('.md'))

/** The first `run:` line of release.yml matching `re`, as the runner would run it (bash). */
function step(re: RegExp): string {
  const line = RELEASE.split('\n').find(l => re.test(l))
  if (!line) throw new Error(`release.yml has no step matching ${re}`)
  return line.replace(/^\s*(- )?(run: )?/, '')
}

function bash(script: string, tag: string): { code: number; stdout: string } {
  try {
    return { code: 0, stdout: execFileSync('bash', ['-c', script], { env: { ...process.env, GITHUB_REF_NAME: tag }, encoding: 'utf8' }) }
  } catch (e) {
    return { code: (e as { status: number }).status, stdout: '' }
  }
}

test('package.json has a release version (X.Y.Z) that the release workflow is triggered by', () => {
  expect(VERSION).toMatch(/^\d+\.\d+\.\d+$/)
  const filters = [...RELEASE.matchAll(/^\s*tags:\s*\[(.*)\]\s*$/gm)].flatMap(m => (m[1] as string).split(',').map(s => s.trim().replace(/^'|'$/g, '')))
  // GitHub's filter patterns: `+` repeats the character or set before it, `.` is itself
  const matches = filters.some(f => new RegExp(`^${f.replace(/\./g, '\\.')}$`).test(`v${VERSION}`))
  expect({ filters, matches }).toEqual({ filters, matches: true })
})

test("the release workflow accepts the tag v<package.json's version> and no other", () => {
  const check = step(/GITHUB_REF_NAME/)
  expect(bash(check, `v${VERSION}`).code).toBe(0)
  expect(bash(check, `v${Number(MAJOR) + 1}.0.0`).code).not.toBe(0)
})

test(`the release of ${VERSION} moves the major tag v${MAJOR}, the one the README's examples use`, () => {
  const major = bash(`${step(/^\s*major=/)}\necho "$major"`, `v${VERSION}`)
  expect(major.stdout.trim()).toBe(`v${MAJOR}`)
  const uses = DOCS.flatMap(f => [...readFileSync(f, 'utf8').matchAll(/uses: \S*oci-build-metadata@([\w.-]+)/g)].map(m => `${f}: @${m[1]}`))
  expect(uses.length).toBeGreaterThan(0)
  expect(uses.filter(u => !u.endsWith(`: @v${MAJOR}`))).toEqual([])
})

test(`the README's npx examples run the npm major ${MAJOR}`, () => {
  const npx = DOCS.flatMap(f => [...readFileSync(f, 'utf8').matchAll(/npx oci-build-metadata(@[\w.-]+)?/g)].map(m => `${f}: ${m[0]}`))
  expect(npx.length).toBeGreaterThan(0)
  expect(npx.filter(n => !n.endsWith(` npx oci-build-metadata@${MAJOR}`))).toEqual([])
})
