/**
 * Release conditions in CEL, through the bundled action and CLI, on both registries of
 * __fixtures__/topology.ts. What the world sends: a build on `main` (or a tag) attaches metadata,
 * an SBOM and provenance; a release job runs verify with the conditions of the README; a build of
 * another branch, or an old one, must be stopped with the condition named.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { runAction, runCli } from '../../__fixtures__/action-runner.js'
import { startTestRegistry } from '../../__fixtures__/registry/index.js'
import { pushBuildKitIndex, REGISTRIES, useRegistry } from '../../__fixtures__/topology.js'
import { pushTestImage, storeImage } from '../../__fixtures__/builders.js'

const MAIN = 'metadata.source.ref == "refs/heads/main"'
const CYCLONEDX = resolve('__fixtures__/sbom/cyclonedx-1.5.json')
const SPDX = resolve('__fixtures__/sbom/spdx-2.3.json')

/** The five conditions the README shows, read from its `policy: |` block, so the README is what is tested. */
function readmeConditions(): string[] {
  const readme = readFileSync('README.md', 'utf8')
  const section = readme.slice(readme.indexOf('## Release conditions in CEL'))
  const block = /policy: \|\n((?: {8}.+\n)+)/.exec(section)?.[1]
  if (!block) throw new Error('README: no policy block under "Release conditions in CEL"')
  return block
    .split('\n')
    .map(l => l.trim())
    .filter(Boolean)
}

/** A build of a tag, by acme/widget's release workflow (GITHUB_* as the runner sets them). */
const RELEASE_ENV = {
  GITHUB_REF: 'refs/tags/v1.4.0',
  GITHUB_REF_NAME: 'v1.4.0',
  GITHUB_REF_TYPE: 'tag',
  GITHUB_EVENT_NAME: 'push',
  GITHUB_WORKFLOW: 'release',
  GITHUB_WORKFLOW_REF: 'acme/widget/.github/workflows/release.yml@refs/tags/v1.4.0'
}
/** A build of a feature branch by the ordinary build workflow, in 2024 (SOURCE_DATE_EPOCH): it meets none of them. */
const FEATURE_ENV = {
  GITHUB_REF: 'refs/heads/feature/login',
  GITHUB_REF_NAME: 'feature/login',
  GITHUB_REF_TYPE: 'branch',
  SOURCE_DATE_EPOCH: '1704067200'
}

describe.each(REGISTRIES.map(r => [r.name, r] as const))('%s', (_name, start) => {
  const reg = useRegistry(start.start)

  test(`policy ${MAIN}: passes for a main-branch document, fails for another branch naming the expression`, async () => {
    const repo = 'policy/app'
    await pushTestImage(reg().host, repo, 'main', `main-${reg().name}`)
    await pushTestImage(reg().host, repo, 'feature', `feature-${reg().name}`)
    const main = `${reg().host}/${repo}:main`
    const feature = `${reg().host}/${repo}:feature`
    expect((await runAction({ image: main, 'verify-timeout': '10' })).code).toBe(0)
    expect((await runAction({ image: feature, 'verify-timeout': '10' }, FEATURE_ENV)).code).toBe(0)

    const pass = await runAction({ image: main, command: 'verify', policy: MAIN })
    expect({ code: pass.code, errors: pass.errors, verified: pass.outputs.verified, missing: pass.outputs.missing }).toEqual({
      code: 0,
      errors: [],
      verified: 'true',
      missing: '[]'
    })
    expect(pass.summary).toContain('| image | metadata.source.ref == "refs/heads/main" | ✅ holds | true |')

    const fail = await runAction({ image: feature, command: 'verify', policy: MAIN })
    expect({ code: fail.code, errors: fail.errors, verified: fail.outputs.verified }).toEqual({
      code: 1,
      errors: [`policy ${MAIN} is false`],
      verified: 'false'
    })
    expect(JSON.parse(fail.outputs.missing!)).toEqual([MAIN])
    expect(fail.summary).toContain('| image | metadata.source.ref == "refs/heads/main" | ❌ fails | is false |')
    // the CLI says the same, and --json carries the row
    const cli = await runCli(['verify', feature, '--policy', MAIN, '--json'])
    expect(cli.code).toBe(1)
    expect(cli.stderr).toBe(`error: policy ${MAIN} is false\n`)
    const rows = (JSON.parse(cli.stdout) as { gate: Array<Record<string, unknown>> }).gate
    expect(rows).toEqual([
      expect.objectContaining({ requirement: 'metadata', found: true }),
      expect.objectContaining({ requirement: MAIN, kind: 'policy', found: false, detail: 'is false' })
    ])
  }, 60_000)

  test("the README's five conditions: all pass on a tagged release build with both platforms, a CycloneDX SBOM and provenance; each fails, named, on a feature build", async () => {
    const conditions = readmeConditions()
    expect(conditions).toHaveLength(5)
    const policy = conditions.join('\n')
    const repo = 'policy/release'
    await pushBuildKitIndex(reg().host, repo, 'v1.4.0', 'none')
    const release = `${reg().host}/${repo}:v1.4.0`
    const attached = await runAction({ image: release, sbom: CYCLONEDX, provenance: 'true', 'verify-timeout': '10' }, RELEASE_ENV)
    expect({ code: attached.code, errors: attached.errors }).toEqual({ code: 0, errors: [] })
    const ok = await runCli(['verify', release, '--require', 'metadata,sbom,provenance', '--policy', policy, '--json'])
    expect({ code: ok.code, stderr: ok.stderr }).toEqual({ code: 0, stderr: '' })
    const rows = (JSON.parse(ok.stdout) as { gate: Array<{ requirement: string; found: boolean; detail: string }> }).gate
    expect(rows.filter(r => r.requirement.includes('.') || r.requirement.includes('[')).map(r => [r.requirement, r.found, r.detail])).toEqual(
      conditions.map(c => [c, true, 'true'])
    )

    const other = 'policy/feature'
    await pushTestImage(reg().host, other, 'v1', `feature-release-${reg().name}`)
    const feature = `${reg().host}/${other}:v1`
    expect((await runAction({ image: feature, sbom: SPDX, provenance: 'true', 'verify-timeout': '10' }, FEATURE_ENV)).code).toBe(0)
    const bad = await runAction({ image: feature, command: 'verify', require: 'metadata, sbom, provenance', policy })
    expect(bad.code).toBe(1)
    expect(JSON.parse(bad.outputs.missing!)).toEqual(conditions)
    expect(bad.errors).toEqual(conditions.map(c => `policy ${c} is false`))
  }, 90_000)
})

test('a policy that does not parse is exit 2 before any request: the registry sees none', async () => {
  const reg = await startTestRegistry()
  try {
    storeImage(reg, 'policy/app', 'policy-syntax', 'v1')
    reg.resetRequests()
    const bad = 'metadata.source.ref == "refs/heads/main" &&'
    const action = await runAction({ image: `${reg.host}/policy/app:v1`, command: 'verify', policy: `image.digest != ""\n${bad}` })
    expect({ code: action.code, errors: action.errors }).toEqual({
      code: 2,
      errors: [`policy: ${JSON.stringify(bad)} is not a CEL expression (Unexpected token: EOF). Fix it; see the README for examples (one expression per line).`]
    })
    const cli = await runCli(['verify', `${reg.host}/policy/app:v1`, '--policy', 'metadata.sorce.ref == "x"'])
    expect(cli.code).toBe(2)
    expect(cli.stderr).toMatch(/^error: policy: "metadata\.sorce\.ref == \\"x\\"" does not type-check \(No such key: sorce\)\. .+\n$/)
    expect(reg.requests).toEqual([])
  } finally {
    await reg.close()
  }
}, 30_000)
