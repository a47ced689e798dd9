/**
 * Re-runs leave no duplicates. Outside CI (a laptop or Jenkins: a git checkout, no CI variables) two
 * identical runs of `attach --sbom … --provenance` leave one metadata document, one SBOM and one
 * provenance listed on the image, and the second run says the SBOM and the provenance were already
 * attached; `writer-id`, and different metadata fields, still tell writers apart. A CI re-run
 * attempt replaces its own metadata and provenance as before. Against distribution (tag schema),
 * the in-process registry (referrers API, deletes) and an OCI layout, listed as a consumer lists.
 */
import { execFileSync } from 'node:child_process'
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pushTestImage } from '../../__fixtures__/builders.js'
import { copyFixtureLayout, FIXTURE } from '../../__fixtures__/layout.js'
import { REGISTRIES, useRegistry } from '../../__fixtures__/topology.js'
import { cliMain } from '../../src/cli-main.js'
import { ArtifactType } from '../../src/oci/media-types.js'
import type { Descriptor } from '../../src/oci/types.js'

const PREFIX = 'dev.oci-build-metadata'
const SBOM = join(process.cwd(), '__fixtures__', 'sbom', 'spdx-2.3.json')

/** A git checkout with one commit and an SBOM in it: what a laptop or a Jenkins workspace has. */
async function checkout(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'obm-rerun-'))
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { env: { PATH: process.env.PATH, HOME: dir }, stdio: 'ignore' })
  git('init', '-q')
  git('-c', 'user.name=dev', '-c', 'user.email=dev@example.com', 'commit', '-q', '--allow-empty', '-m', 'build')
  git('remote', 'add', 'origin', 'https://github.com/acme/widget.git')
  await copyFile(SBOM, join(dir, 'sbom.spdx.json'))
  return dir
}

interface Run {
  code: number
  json: { verified: boolean; 'artifact-digest': string; attachments: Array<{ label: string; digest: string }>; problems?: string[] }
}

/** The CLI in process, with only the environment given (no CI variables unless given). */
async function attach(image: string, cwd: string, args: string[] = [], env: Record<string, string> = {}): Promise<Run> {
  const out: string[] = []
  const err: string[] = []
  const code = await cliMain(['attach', image, '--sbom=sbom.spdx.json', '--provenance', '--json', ...args], {
    stdout: s => out.push(s),
    stderr: s => err.push(s),
    env: { PATH: process.env.PATH, HOME: cwd, ...env },
    cwd,
    readStdin: () => ''
  })
  if (code !== 0) throw new Error(`attach exited ${code}: ${err.join('')}${out.join('')}`)
  return { code, json: JSON.parse(out.join('')) }
}

const byType = (ds: Descriptor[], t: string) => ds.filter(d => d.artifactType === t)
const counts = (ds: Descriptor[]) => ({
  metadata: byType(ds, ArtifactType.BuildMetadataV1).length,
  sbom: byType(ds, ArtifactType.Spdx).length,
  provenance: byType(ds, ArtifactType.InToto).length
})
const labels = (r: Run) => r.json.attachments.map(a => a.label).sort()

/** A GitHub job step: one run, one job, one step; the attempt given. */
const github = (attempt: string) => ({
  GITHUB_ACTIONS: 'true',
  GITHUB_REPOSITORY: 'acme/widget',
  GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
  GITHUB_REF: 'refs/heads/main',
  GITHUB_WORKFLOW: 'build',
  GITHUB_JOB: 'image',
  GITHUB_ACTION: '__acme_oci-build-metadata',
  GITHUB_RUN_ID: '7000',
  GITHUB_RUN_ATTEMPT: attempt
})

describe.each(REGISTRIES)('$name', ({ start }) => {
  const registry = useRegistry(start)

  test('two identical runs outside CI: one metadata document, one SBOM, one provenance; the second says already attached', async () => {
    const reg = registry()
    const repo = 'laptop/app'
    const img = await pushTestImage(reg.host, repo, 'v1')
    const cwd = await checkout()
    const image = `${reg.host}/${repo}@${img.digest}`
    const first = await attach(image, cwd)
    const second = await attach(image, cwd)
    expect(labels(first)).toEqual(['metadata', 'provenance', 'sbom sbom.spdx.json'])
    expect(labels(second)).toEqual(['metadata', 'provenance (already attached)', 'sbom sbom.spdx.json (already attached)'])
    const digestOf = (r: Run, label: string) => r.json.attachments.find(a => a.label.startsWith(label))?.digest
    expect(digestOf(second, 'sbom')).toBe(digestOf(first, 'sbom'))
    expect(digestOf(second, 'provenance')).toBe(digestOf(first, 'provenance'))

    const listed = await reg.referrers(repo, img.digest)
    expect(counts(listed)).toEqual({ metadata: 1, sbom: 1, provenance: 1 })
    expect(byType(listed, ArtifactType.BuildMetadataV1)[0]?.digest).toBe(second.json['artifact-digest'])
    // the earlier run's metadata is replaced: deleted where the registry lists referrers itself
    if (!reg.tagSchema) expect(await reg.exists(repo, first.json['artifact-digest'])).toBe(false)
  })

  test('outside CI, writer-id and different metadata fields still tell writers apart', async () => {
    const reg = registry()
    const repo = 'stages/app'
    const img = await pushTestImage(reg.host, repo, 'v1')
    const image = `${reg.host}/${repo}@${img.digest}`
    const cwd = await checkout()
    const amd64 = await attach(image, cwd, ['--writer-id=amd64'])
    const arm64 = await attach(image, cwd, ['--writer-id=arm64'])
    // two parallel stages of one Jenkins job, each with its own results.json
    const stages = await Promise.all(
      [0, 1].map(async n => {
        const dir = await checkout()
        await writeFile(join(dir, 'results.json'), JSON.stringify({ stage: n }))
        return attach(image, dir, ['--metadata-file=results.json'])
      })
    )
    const metadata = byType(await reg.referrers(repo, img.digest), ArtifactType.BuildMetadataV1).map(d => d.digest)
    expect(metadata.sort()).toEqual([amd64, arm64, ...stages].map(r => r.json['artifact-digest']).sort())
  })

  test('a CI re-run attempt replaces its own metadata and provenance, as before: one of each, attempt 2', async () => {
    const reg = registry()
    const repo = 'ci-rerun/app'
    const img = await pushTestImage(reg.host, repo, 'v1')
    const image = `${reg.host}/${repo}@${img.digest}`
    const cwd = await checkout()
    await attach(image, cwd, [], github('1'))
    const second = await attach(image, cwd, [], github('2'))
    const listed = await reg.referrers(repo, img.digest)
    expect(counts(listed)).toEqual({ metadata: 1, sbom: 1, provenance: 1 })
    const attempt = (t: string) => byType(listed, t)[0]?.annotations?.[`${PREFIX}.attempt`]
    expect([attempt(ArtifactType.BuildMetadataV1), attempt(ArtifactType.InToto)]).toEqual(['2', '2'])
    expect(byType(listed, ArtifactType.BuildMetadataV1)[0]?.digest).toBe(second.json['artifact-digest'])
  })
})

test('OCI layout: two identical runs outside CI leave one metadata document, one SBOM, one provenance in the referrers index', async () => {
  const dir = await copyFixtureLayout()
  const cwd = await checkout()
  await attach(`oci:${dir}:v1`, cwd)
  const second = await attach(`oci:${dir}:v1`, cwd)
  expect(labels(second)).toEqual(['metadata', 'provenance (already attached)', 'sbom sbom.spdx.json (already attached)'])
  // as ORAS and regctl read a layout: index.json, the referrers tag sha256-<hex>, its index blob
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests: Descriptor[] }
  const tagged = index.manifests.find(d => d.annotations?.['org.opencontainers.image.ref.name'] === FIXTURE.v1.replace(':', '-'))
  expect(tagged).toBeDefined()
  const referrers = JSON.parse(await readFile(join(dir, 'blobs', 'sha256', tagged!.digest.slice(7)), 'utf8')) as { manifests: Descriptor[] }
  expect(counts(referrers.manifests)).toEqual({ metadata: 1, sbom: 1, provenance: 1 })
})
