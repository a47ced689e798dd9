// `npm run bench`: this project's client side by side with @sigstore/oci (the library actions/attest
// uses) on the same work, through a counting proxy, against registries on loopback; plus the physical
// references measured in the same run (curl POST+PUT of the file, `openssl dgst -sha256`). Prints a
// markdown report with min / median / max and one verdict line per target, and saves it to docs/bench.md.
//
// Usage: node scripts/bench.mjs [--quick] [--no-build | --dist DIR] [--runs N] [--out FILE | --no-save]
//   --quick     skip the 512 MiB SBOM (and so the memory and throughput verdicts)
//   --no-build  measure dist/ as it is instead of bundling the current sources into .bench/dist
//   --dist DIR  measure the dist/ in DIR (index.js, cli.js, bundle.js, chunks), e.g. of a patched checkout
//   --runs N    runs per small case (default 5; the 512 MiB case runs 3 times)
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { startDistribution } from '../__fixtures__/distribution-server.mjs'
import { startProxy } from './bench/proxy.mjs'
import { writeDocument, writeSpdx } from './bench/files.mjs'
import { filesUnder } from './sources-hash.mjs'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const BENCH_DIR = join(ROOT, '.bench')
const PRELOAD = join(ROOT, 'scripts', 'bench', 'rss-preload.cjs')
const PEER = join(ROOT, 'scripts', 'bench', 'peer.mjs')
const RECORDER = join(ROOT, '__fixtures__', 'load-recorder.mjs')
const MiB = 1024 * 1024
/** An age public key (X25519) for the private-part load case: encrypting needs no identity. */
const BENCH_RECIPIENT = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p'
const SPDX = 'application/spdx+json'

// ---------------------------------------------------------------------------------------------- args
const argv = process.argv.slice(2)
const flag = n => argv.includes(n)
const opt = (n, d) => {
  const i = argv.indexOf(n)
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : d
}
if (flag('--help')) {
  process.stdout.write(
    `${readFileSync(fileURLToPath(import.meta.url), 'utf8')
      .split('\n')
      .slice(0, 10)
      .map(l => l.replace(/^\/\/ ?/, ''))
      .join('\n')}\n`
  )
  process.exit(0)
}
const QUICK = flag('--quick')
const RUNS = Math.max(1, Number(opt('--runs', '5')))
const BIG_RUNS = 3
const OUT = flag('--no-save') ? undefined : resolve(ROOT, opt('--out', 'docs/bench.md'))
const started = performance.now()
const log = m => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(3)}s] ${m}\n`)

// ------------------------------------------------------------------------------------------- helpers
const sorted = xs => [...xs].sort((a, b) => a - b)
const median = xs => sorted(xs)[Math.floor((xs.length - 1) / 2)]
const stat = xs => ({ min: Math.min(...xs), med: median(xs), max: Math.max(...xs) })
const fmt = (x, d = 0) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(d))
const mmm = (xs, d = 0) => {
  if (!xs.length) return '–'
  const s = stat(xs)
  return s.min === s.max ? fmt(s.med, d) : `${fmt(s.min, d)} / ${fmt(s.med, d)} / ${fmt(s.max, d)}`
}

/** A child process; wall time from spawn to exit, its peak RSS (KiB) through the preload when `node`. */
function runChild(cmd, args, { env, measureRss = false, input } = {}) {
  const rssFile = join(WORK, `rss-${process.hrtime.bigint()}`)
  const fullArgs = measureRss ? ['--require', PRELOAD, ...args] : args
  const childEnv = { ...(env ?? CHILD_ENV), ...(measureRss ? { BENCH_RSS_OUT: rssFile } : {}) }
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now()
    const child = spawn(cmd, fullArgs, { env: childEnv, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', d => (stdout += d))
    child.stderr.on('data', d => (stderr = (stderr + d).slice(-20000)))
    if (input !== undefined) child.stdin.end(input)
    child.on('error', reject)
    child.on('close', code => {
      const wallMs = performance.now() - t0
      let rssKiB
      if (measureRss) {
        try {
          rssKiB = Number(readFileSync(rssFile, 'utf8'))
          rmSync(rssFile)
        } catch {
          // the child died before its exit hook
        }
      }
      resolvePromise({ code, wallMs, rssKiB, stdout, stderr })
    })
  })
}

function mustSucceed(what, r) {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}:\n${r.stderr.slice(-4000)}\n${r.stdout.slice(-2000)}`)
  return r
}

/** The wait between our PUT of the referrers tag and the confirming GET (SETTLE_MS + jitter), from the proxy log. */
function settleOf(entries) {
  const puts = entries.filter(e => e.kind === 'PUT tag-index')
  if (!puts.length) return 0
  const put = puts[puts.length - 1]
  const next = entries.find(e => e.kind === 'GET tag-index' && e.start >= put.end)
  return next ? next.start - put.end : 0
}

function byKindText(byKind) {
  return Object.entries(byKind)
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')
}

// ----------------------------------------------------------------------------------------------- setup
mkdirSync(BENCH_DIR, { recursive: true })
const WORK = mkdtempSync(join(tmpdir(), 'oci-bench-'))
const CHILD_ENV = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^(INPUT_|GITHUB_|RUNNER_|ACTIONS_|OCI_BUILD_METADATA_|NODE_OPTIONS$)/.test(k))
)
CHILD_ENV.DOCKER_CONFIG = join(WORK, 'docker-config') // no credentials: every client is anonymous
mkdirSync(CHILD_ENV.DOCKER_CONFIG)

let DIST = join(ROOT, 'dist')
let buildNote = 'dist/ as committed (--no-build)'
if (opt('--dist')) {
  DIST = resolve(opt('--dist'))
  buildNote = `bundles from ${DIST}`
} else if (!flag('--no-build')) {
  log('bundling the current sources into .bench/dist (ncc) …')
  try {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'bundle.mjs'), join(BENCH_DIR, 'dist')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] })
    DIST = join(BENCH_DIR, 'dist')
    buildNote = 'bundled from the working tree into .bench/dist'
  } catch (e) {
    log(
      `bundling failed (${String(e.stderr ?? e.message)
        .trim()
        .split('\n')
        .slice(-3)
        .join(' | ')}); measuring dist/ as it is`
    )
    buildNote = 'dist/ as committed (bundling the working tree failed)'
  }
}
const CLI = join(DIST, 'cli.js')
const ACTION = join(DIST, 'index.js')
if (!existsSync(CLI) || !existsSync(ACTION)) throw new Error(`${DIST} has no bundles: run npm run bundle`)

// the in-process spec registry is TypeScript: transpile it (no type check) into .bench/fixtures
log('transpiling the in-process registry and Sigstore fixtures …')
execFileSync(
  process.execPath,
  [
    join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
    join(ROOT, '__fixtures__', 'registry', 'index.ts'),
    // the suite's builders: the bench's images are the tests' images
    join(ROOT, '__fixtures__', 'builders.ts'),
    // the test Sigstore and the signed referrers other tools push, for the signed gate (case 5)
    join(ROOT, '__fixtures__', 'sigstore.ts'),
    join(ROOT, '__fixtures__', 'cosign.ts'),
    '--outDir',
    join(BENCH_DIR, 'fixtures'),
    '--rootDir',
    ROOT,
    '--module',
    'nodenext',
    '--moduleResolution',
    'nodenext',
    '--target',
    'es2022',
    '--skipLibCheck',
    '--noCheck',
    '--types',
    'node'
  ],
  { cwd: ROOT, stdio: 'inherit' }
)
writeFileSync(join(BENCH_DIR, 'fixtures', 'package.json'), '{"type":"module"}\n')
const { startTestRegistry } = await import(pathToFileURL(join(BENCH_DIR, 'fixtures', '__fixtures__', 'registry', 'index.js')).href)
const builders = await import(pathToFileURL(join(BENCH_DIR, 'fixtures', '__fixtures__', 'builders.js')).href)

const doc1k = join(WORK, 'metadata-1k.json')
writeDocument(doc1k, 1024)
const sboms = [{ label: '10 MiB', size: 10 * MiB, runs: RUNS }]
if (!QUICK) sboms.push({ label: '512 MiB', size: 512 * MiB, runs: BIG_RUNS })
for (const s of sboms) {
  s.path = join(BENCH_DIR, `sbom-${s.size}.spdx.json`)
  log(`SPDX JSON of ${s.label}: ${(await writeSpdx(s.path, s.size)) ? 'generated' : 'reused'} ${s.path}`)
}

const dist = await startDistribution()
const distProxy = await startProxy(dist.url)
const spec = await startTestRegistry({ referrersApi: true })
const specProxy = await startProxy(spec.url)
const cleanup = async () => {
  await distProxy.close().catch(() => {})
  await specProxy.close().catch(() => {})
  await spec.close().catch(() => {})
  await dist.stop().catch(() => {})
  rmSync(WORK, { recursive: true, force: true })
}
process.on('SIGINT', () => cleanup().finally(() => process.exit(130)))

/** The tests' small image (__fixtures__/builders.ts), pushed to distribution through our client; its digest. */
const distImage = async (repo, seed) => (await builders.pushImage(builders.remote(`${dist.host}/${repo}`), seed)).digest
/** The same image, arranged directly in the spec registry's storage; its digest. */
const specImage = (repo, seed) => builders.storeImage(spec, repo, seed)

/** One measured client run through `proxy`: requests, wall, RSS, settle. */
async function measured(proxy, what, cmd, args) {
  proxy.reset()
  const r = mustSucceed(what, await runChild(cmd, args, { measureRss: cmd === process.execPath }))
  const counts = proxy.counts()
  return { wallMs: r.wallMs, rssMiB: r.rssKiB / 1024, requests: counts.total, byKind: counts.byKind, settleMs: settleOf(proxy.log), stdout: r.stdout }
}

const ours = (proxy, repo, digest, extra = []) =>
  measured(proxy, `ours attach ${repo}`, process.execPath, [
    CLI,
    'attach',
    `${proxy.host}/${repo}`,
    '--digest',
    digest,
    '--metadata-file',
    doc1k,
    '--json',
    ...extra
  ])
const oursVerify = (proxy, repo, digest, extra = []) =>
  measured(proxy, `ours verify ${repo}`, process.execPath, [CLI, 'verify', `${proxy.host}/${repo}`, '--digest', digest, '--json', ...extra])
const peer = (proxy, repo, digest, file, mediaType) =>
  measured(proxy, `peer attach ${repo}`, process.execPath, [PEER, `${proxy.host}/${repo}`, digest, file, mediaType])

/** Aggregate of runs → a row. */
function row(caseName, client, runs, opts = {}) {
  const mid = runs[runs.indexOf(runs.slice().sort((a, b) => a.wallMs - b.wallMs)[Math.floor((runs.length - 1) / 2)])]
  const kinds = new Set(runs.map(r => byKindText(r.byKind)))
  return {
    caseName,
    client,
    runs,
    n: runs.length,
    requests: runs.map(r => r.requests),
    byKind: kinds.size === 1 ? byKindText(mid.byKind) : `${byKindText(mid.byKind)} (varies between runs)`,
    wall: runs.map(r => r.wallMs),
    settle: runs.map(r => r.settleMs),
    rss: runs.map(r => r.rssMiB).filter(x => x !== undefined && !Number.isNaN(x)),
    throughput: opts.bytes ? runs.map(r => opts.bytes / MiB / (r.wallMs / 1000)) : []
  }
}

const results = { rows: [], refs: [], scale: [], load: [], notes: [], signed: [] }

// ---------------------------------------------------------------------- 1. 1 KiB on distribution
log(`case 1: 1 KiB metadata, distribution (no referrers API), ${RUNS} runs each …`)
{
  const a = []
  const v = []
  const p = []
  for (let i = 1; i <= RUNS; i++) {
    const repoO = `bench/c1-ours-${i}`
    const dO = await distImage(repoO, repoO)
    a.push(await ours(distProxy, repoO, dO))
    v.push(await oursVerify(distProxy, repoO, dO))
    const repoP = `bench/c1-peer-${i}`
    const dP = await distImage(repoP, repoP)
    p.push(await peer(distProxy, repoP, dP, doc1k, 'application/json'))
  }
  results.rows.push(row('1 KiB metadata · distribution (no referrers API)', 'ours: attach + verify', a))
  results.rows.push(row('', 'ours: verify (release gate)', v))
  results.rows.push(row('', '@sigstore/oci: attach', p))
  results.c1 = { ours: a, peer: p }
}

// --------------------------------------------------------------------- 2. 1 KiB, referrers API
log(`case 2: 1 KiB metadata, in-process registry with the referrers API, ${RUNS} runs each …`)
{
  const a = []
  const v = []
  const p = []
  for (let i = 1; i <= RUNS; i++) {
    const repoO = `bench/c2-ours-${i}`
    const dO = specImage(repoO, repoO)
    a.push(await ours(specProxy, repoO, dO))
    v.push(await oursVerify(specProxy, repoO, dO))
    const repoP = `bench/c2-peer-${i}`
    const dP = specImage(repoP, repoP)
    p.push(await peer(specProxy, repoP, dP, doc1k, 'application/json'))
  }
  results.rows.push(row('1 KiB metadata · spec registry (referrers API)', 'ours: attach + verify', a))
  results.rows.push(row('', 'ours: verify (release gate)', v))
  results.rows.push(row('', '@sigstore/oci: attach', p))
  results.c2 = { ours: a }
}

// ------------------------------------------------------------------ 3. SBOMs + physical floor
for (const s of sboms) {
  log(`case 3: ${s.label} SPDX SBOM, distribution, ${s.runs} runs each (openssl, curl, ours, peer) …`)
  const o = []
  const p = []
  const hashMs = []
  const curlMs = []
  const digest = `sha256:${execFileSync('openssl', ['dgst', '-sha256', '-r', s.path], { encoding: 'utf8' }).split(' ')[0]}` // warms the page cache too
  for (let i = 1; i <= s.runs; i++) {
    // before each measured step, flush the registry's writes of the previous one: no step pays for another's
    const flush = () => execFileSync('sync')
    flush()
    const h = mustSucceed('openssl dgst', await runChild('openssl', ['dgst', '-sha256', s.path]))
    hashMs.push(h.wallMs)
    // curl: POST a session, PUT the file (streamed with -T) with ?digest=, through the same proxy
    const repoC = `bench/c3-curl-${s.size}-${i}`
    distProxy.reset()
    const t0 = performance.now()
    const post = mustSucceed(
      'curl POST',
      await runChild('curl', ['-sS', '-o', '/dev/null', '-D', '-', '-X', 'POST', `${distProxy.url}/v2/${repoC}/blobs/uploads/`])
    )
    const loc = /^location:\s*(\S+)/im.exec(post.stdout)?.[1]
    if (!loc) throw new Error(`curl POST gave no Location:\n${post.stdout}`)
    const put = mustSucceed(
      'curl PUT',
      await runChild('curl', [
        '-sS',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        '-X',
        'PUT',
        '-T',
        s.path,
        '-H',
        'Content-Type: application/octet-stream',
        '-H',
        'Expect:',
        `${new URL(loc, distProxy.url)}${loc.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`
      ])
    )
    if (put.stdout.trim() !== '201') throw new Error(`curl PUT answered ${put.stdout}`)
    curlMs.push(performance.now() - t0)
    flush()
    const repoO = `bench/c3-ours-${s.size}-${i}`
    o.push(await ours(distProxy, repoO, await distImage(repoO, repoO), ['--sbom', s.path]))
    flush()
    const repoP = `bench/c3-peer-${s.size}-${i}`
    p.push(await peer(distProxy, repoP, await distImage(repoP, repoP), s.path, SPDX))
  }
  results.rows.push(row(`${s.label} SPDX SBOM · distribution`, 'ours: attach (+ metadata) + verify', o, { bytes: s.size }))
  results.rows.push(row('', '@sigstore/oci: attach', p, { bytes: s.size }))
  results.refs.push({ label: s.label, size: s.size, n: s.runs, hashMs, curlMs, floorMs: median(hashMs) + median(curlMs) })
  s.ours = o
  s.peer = p
}

// ------------------------------------------------------------------------ 4. referrers at scale
const SCALE = [1, 1000, 2500, 5000]
const PAGE = 250
const SCALE_RUNS = 5
log(`case 4: verify with ${SCALE.join(' / ')} referrers, pages of ${PAGE}, ${SCALE_RUNS} runs each …`)
{
  const paged = await startTestRegistry({ referrersApi: true, referrersPageSize: PAGE })
  const pagedProxy = await startProxy(paged.url)
  try {
    for (const n of SCALE) {
      const repo = `bench/c4-${n}`
      const cfg = { mediaType: 'application/vnd.oci.empty.v1+json', digest: paged.putBlob(repo, Buffer.from('{}')), size: 2 }
      const image = builders.imageManifest({ config: { ...cfg, mediaType: 'application/vnd.oci.image.config.v1+json' }, layers: [] })
      const subject = paged.putManifest(repo, image.bytes, image.descriptor.mediaType)
      // our metadata artifact first, then n-1 other tools' referrers (signatures, attestations)
      mustSucceed(
        'setup attach',
        await runChild(process.execPath, [CLI, 'attach', `${pagedProxy.host}/${repo}`, '--digest', subject, '--metadata-file', doc1k, '--json'])
      )
      for (let i = 1; i < n; i++) {
        const m = builders.imageManifest({
          artifactType: i % 2 ? 'application/vnd.dev.sigstore.bundle.v0.3+json' : 'application/vnd.in-toto+json',
          config: cfg,
          layers: [cfg],
          subject: image.descriptor,
          // as actions/attest and in-toto tools write them: the predicate type is on the manifest, so
          // the descriptor alone classifies it (one without it is fetched: at most MAX_COMPLETIONS = 256)
          annotations: {
            'org.opencontainers.image.created': '2026-01-01T00:00:00Z',
            [i % 2 ? 'dev.sigstore.bundle.predicateType' : 'in-toto.io/predicate-type']: 'https://in-toto.io/attestation/vulns/v0.2',
            'dev.bench.referrer': String(i)
          }
        })
        paged.putManifest(repo, m.bytes, m.descriptor.mediaType)
      }
      const runs = []
      for (let i = 0; i < SCALE_RUNS; i++) {
        const r = await oursVerify(pagedProxy, repo, subject)
        const listed = JSON.parse(r.stdout).referrers
        const count = Array.isArray(listed) ? listed.length : JSON.parse(listed).length
        if (count !== n) throw new Error(`verify listed ${count} referrers, not ${n}`)
        runs.push(r)
      }
      results.scale.push({ n, runs })
    }
  } finally {
    await pagedProxy.close()
    await paged.close()
  }
}

// ---------------------------------------------------------- 5. the signed gate: reading every bundle
// With a signer, every Sigstore bundle is read (its manifest and its bundle blob) and judged by its
// verified statement, annotations or not; at most MAX_BUNDLES_READ (src/verify/evidence.ts) per subject.
log(`case 5: the signed gate, ${RUNS} runs each …`)
{
  const fixtures = join(BENCH_DIR, 'fixtures', '__fixtures__')
  const { startSigstoreMock } = await import(pathToFileURL(join(fixtures, 'sigstore.js')).href)
  const { cosignSignStatement, pushCosignReferrer, signStatement, statementFor } = await import(pathToFileURL(join(fixtures, 'cosign.js')).href)
  const maxBundles = /export const MAX_BUNDLES_READ = (\d+)/.exec(readFileSync(join(ROOT, 'src', 'verify', 'evidence.ts'), 'utf8'))?.[1] ?? '?'
  const sig = await startSigstoreMock('public-good')
  const release = { repository: 'acme/widget', workflowRef: 'acme/widget/.github/workflows/release.yml@refs/tags/v1', ref: 'refs/tags/v1' }
  const signer = ['--signer', 'acme/widget/.github/workflows/release.yml@refs/tags/*', '--trusted-root', sig.trustedRootPath]
  const gh = {
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'acme/widget',
    GITHUB_WORKFLOW_REF: release.workflowRef,
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_RUN_ID: '1',
    GITHUB_RUN_ATTEMPT: '1'
  }
  try {
    for (const [label, registry, proxy, image, tagSchema] of [
      ['spec registry (referrers API)', spec, specProxy, specImage, false],
      ['distribution (tag schema)', dist, distProxy, distImage, true]
    ]) {
      const host = new URL(registry.url).host
      const reg = { host, tagSchema }
      // our signed metadata and provenance (2 bundles beside the metadata artifact), a cosign v3
      // signature and a provenance bundle without annotations: 5 referrers, 4 of them bundles
      const arrange = async (repo, extraBundles = 0) => {
        const digest = await image(repo, repo)
        mustSucceed(
          'setup attach --sign',
          await runChild(process.execPath, [CLI, 'attach', `${host}/${repo}`, '--digest', digest, '--provenance', '--sign', '--sigstore', sig.input('rekor')], {
            env: { ...CHILD_ENV, ...gh, ...sig.tokenEnv(release) }
          })
        )
        const subject = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: 0 }
        const got = await fetch(`${registry.url}/v2/${repo}/manifests/${digest}`, { method: 'HEAD', headers: { accept: subject.mediaType } })
        subject.size = Number(got.headers.get('content-length'))
        await pushCosignReferrer(reg, repo, subject, await signStatement(sig, release, cosignSignStatement(digest)), 'https://sigstore.dev/cosign/sign/v1')
        const provenance = await signStatement(sig, release, statementFor(repo, digest, 'https://slsa.dev/provenance/v1'))
        await pushCosignReferrer(reg, repo, subject, provenance, 'https://slsa.dev/provenance/v1', { annotations: false })
        // a flood of unannotated bundles (distinct manifests of one bundle): the gate reads at most MAX_BUNDLES_READ
        for (let i = 0; i < extraBundles; i++)
          await pushCosignReferrer(reg, repo, subject, provenance, 'https://slsa.dev/provenance/v1', {
            annotations: { 'org.opencontainers.image.created': `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}Z`, n: String(i) }
          })
        return digest
      }
      const presence = []
      const signed = []
      const flood = []
      for (let i = 1; i <= RUNS; i++) {
        const repo = `bench/c6-${tagSchema ? 'dist' : 'spec'}-${i}`
        const digest = await arrange(repo)
        presence.push(await oursVerify(proxy, repo, digest, ['--require', 'metadata,provenance']))
        signed.push(await oursVerify(proxy, repo, digest, ['--require', 'metadata,provenance,signature', ...signer]))
      }
      const floodRepo = `bench/c6-${tagSchema ? 'dist' : 'spec'}-flood`
      const floodDigest = await arrange(floodRepo, 100)
      for (let i = 1; i <= Math.min(RUNS, 3); i++) flood.push(await oursVerify(proxy, floodRepo, floodDigest, ['--require', 'provenance', ...signer]))
      results.signed.push({ label, maxBundles, presence: row('', 'presence', presence), signed: row('', 'signed', signed), flood: row('', 'flood', flood) })
    }
  } finally {
    await sig.close()
  }
}

// ----------------------------------------------------------------------------------- 6. load time
const LOAD_RUNS = 20
log(`case 6: load time, ${LOAD_RUNS} runs each; what dist/ weighs and which of its files each entry loads …`)
{
  const bare = []
  const action = []
  const cli = []
  for (let i = 0; i < LOAD_RUNS; i++) {
    bare.push((await runChild(process.execPath, ['-e', '0'])).wallMs)
    const a = await runChild(process.execPath, [ACTION])
    if (!/image/i.test(a.stdout + a.stderr)) throw new Error(`the action without inputs did not complain about the image input:\n${a.stdout}${a.stderr}`)
    action.push(a.wallMs)
    cli.push(mustSucceed('cli --help', await runChild(process.execPath, [CLI, '--help'])).wallMs)
  }
  results.load = { bare, action, cli }
  // the files of dist/ a run loads (__fixtures__/load-recorder.mjs), in load order
  const loads = async (args, env = CHILD_ENV) => {
    const file = join(WORK, `loads-${process.hrtime.bigint()}`)
    await runChild(process.execPath, ['--import', RECORDER, ...args], { env: { ...env, OBM_LOADED_FILES: file } })
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(f => f.startsWith(`${DIST}${sep}`))
      .map(f => relative(DIST, f))
  }
  // an attach with an SBOM glob, on a copy of the fixture layout: the glob's chunk loads on demand
  const layout = join(WORK, 'load-layout')
  execFileSync('cp', ['-r', join(ROOT, '__fixtures__', 'layout'), layout])
  writeFileSync(join(WORK, 'load.spdx.json'), readFileSync(join(ROOT, '__fixtures__', 'sbom', 'spdx-2.3.json')))
  results.loads = {
    action: await loads([ACTION]),
    cli: await loads([CLI, '--help']),
    glob: await loads([CLI, 'attach', `oci:${layout}:v1`, '--sbom', join(WORK, 'load.*.json')]),
    // a private part (sealed with age) and a policy (CEL): each loads its own chunks, only then
    private: await loads([CLI, 'attach', `oci:${layout}:v1`, '--private', '{"ticket":"bench"}', '--recipients', BENCH_RECIPIENT]),
    policy: await loads([CLI, 'verify', `oci:${layout}:v1`, '--policy', 'metadata.schemaVersion >= 1'])
  }
  results.dist = filesUnder(DIST)
    .map(f => ({ file: f, bytes: statSync(join(DIST, f)).size }))
    .sort((a, b) => b.bytes - a.bytes)
}

await cleanup()

// -------------------------------------------------------------------------------------- report
const L = []
const cpu = cpus()[0]?.model?.trim() ?? 'unknown CPU'
L.push('# Benchmark')
L.push('')
L.push(
  `Produced by \`npm run bench\`${QUICK ? ' --quick' : ''} (scripts/bench.mjs) on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${cpus().length} × ${cpu}; ours = \`dist/cli.js\` (${buildNote}), peer = \`@sigstore/oci\` ${JSON.parse(readFileSync(join(ROOT, 'node_modules', '@sigstore', 'oci', 'package.json'), 'utf8')).version} (the library actions/attest uses), each in its own process. Registries on loopback: Debian's CNCF distribution (no referrers API: the referrers tag schema) and the test suite's in-process spec registry (referrers API), both behind a counting proxy. Figures are min / median / max over the runs (one figure when all runs agree). Peak RSS is the client process's (getrusage maxrss). Every client is anonymous (no token round trip).`
)
L.push('')
L.push('## Attach: round trips, time, memory')
L.push('')
L.push('| case | client | runs | requests | requests by kind (median run) | wall ms | of which settle ms | peak RSS MiB | MiB/s |')
L.push('| --- | --- | --: | --: | --- | --: | --: | --: | --: |')
for (const r of results.rows) {
  L.push(
    `| ${r.caseName} | ${r.client} | ${r.n} | ${mmm(r.requests)} | ${r.byKind} | ${mmm(r.wall)} | ${r.settle.some(x => x > 0) ? mmm(r.settle) : '–'} | ${mmm(r.rss, 1)} | ${r.throughput.length ? mmm(r.throughput, 1) : '–'} |`
  )
}
L.push('')
const settleMs = /export const SETTLE_MS = (\d+)/.exec(readFileSync(join(ROOT, 'src', 'oci', 'tag-schema', 'writer.ts'), 'utf8'))?.[1] ?? '?'
L.push(
  `"settle": on the tag-schema path a lone writer waits \`SETTLE_MS\` (${settleMs} ms in src/oci/tag-schema/writer.ts, plus jitter) between its PUT of the referrers index and the confirming read, so that concurrent writers cannot silently drop entries (by design); it is measured from the proxy log (end of the PUT to the start of the next GET of the index) and included in the wall time.`
)
L.push('')
L.push('## Physical references (same files, same run, through the same proxy)')
L.push('')
L.push('| file | runs | `openssl dgst -sha256` ms | curl POST + PUT ms | floor ms (hash once + send once, medians) | curl MiB/s |')
L.push('| --- | --: | --: | --: | --: | --: |')
for (const f of results.refs) {
  L.push(
    `| ${f.label} | ${f.n} | ${mmm(f.hashMs)} | ${mmm(f.curlMs)} | ${fmt(f.floorMs)} | ${mmm(
      f.curlMs.map(ms => f.size / MiB / (ms / 1000)),
      1
    )} |`
  )
}
L.push('')
L.push(`## Listing referrers at scale (spec registry, referrers API, pages of ${PAGE}; \`verify\` of a subject with N referrers)`)
L.push('')
L.push('| referrers | runs | requests | GET referrers (pages) | wall ms | peak RSS MiB | ms per 1,000 referrers (fastest runs, over the 1-referrer run) |')
L.push('| --: | --: | --: | --: | --: | --: | --: |')
const scaleBase = Math.min(...results.scale[0].runs.map(r => r.wallMs))
for (const s of results.scale) {
  const per = s.n > 1 ? fmt(((Math.min(...s.runs.map(r => r.wallMs)) - scaleBase) / s.n) * 1000) : '–'
  L.push(
    `| ${s.n.toLocaleString('en')} | ${s.runs.length} | ${mmm(s.runs.map(r => r.requests))} | ${mmm(s.runs.map(r => r.byKind['GET referrers'] ?? 0))} | ${mmm(s.runs.map(r => r.wallMs))} | ${mmm(
      s.runs.map(r => r.rssMiB),
      1
    )} | ${per} |`
  )
}
L.push('')
L.push('## The signed gate: what reading every bundle costs (`verify`)')
L.push('')
L.push(
  `An image with our metadata artifact, our signed metadata and provenance (attach --sign --provenance), a cosign v3 signature and a signed provenance bundle pushed without annotations: 4 of its 5 referrers are Sigstore bundles. A presence gate reads only the bundles it must (ours, for the document; those that announce no predicate type); with a \`signer\` every bundle's manifest and bundle blob are read and verified, at most ${results.signed[0]?.maxBundles ?? '?'} per subject (MAX_BUNDLES_READ in src/verify/evidence.ts). The last row adds 100 more unannotated bundles.`
)
L.push('')
L.push('| registry | gate | runs | requests | requests by kind (median run) | wall ms | peak RSS MiB |')
L.push('| --- | --- | --: | --: | --- | --: | --: |')
for (const g of results.signed) {
  const rows = [
    ['presence: `--require metadata,provenance`', g.presence],
    ['signed: `--require metadata,provenance,signature --signer …`', g.signed],
    ['signed, 104 bundles: `--require provenance --signer …`', g.flood]
  ]
  for (const [i, [name, r]] of rows.entries())
    L.push(`| ${i === 0 ? g.label : ''} | ${name} | ${r.n} | ${mmm(r.requests)} | ${r.byKind} | ${mmm(r.wall)} | ${mmm(r.rss, 1)} |`)
}
L.push('')
L.push(`## Load time (${LOAD_RUNS} runs each)`)
L.push('')
L.push('| command | wall ms | over bare node (medians) |')
L.push('| --- | --: | --: |')
const bareMed = median(results.load.bare)
L.push(`| \`node -e 0\` | ${mmm(results.load.bare)} | – |`)
L.push(`| \`node dist/index.js\` (the action, no inputs) | ${mmm(results.load.action)} | ${fmt(median(results.load.action) - bareMed)} |`)
L.push(`| \`node dist/cli.js --help\` | ${mmm(results.load.cli)} | ${fmt(median(results.load.cli) - bareMed)} |`)
L.push('')
{
  const total = results.dist.reduce((n, f) => n + f.bytes, 0)
  const { action, cli, glob } = results.loads
  const atStart = new Set([...action, ...cli])
  const globChunks = glob.filter(f => !atStart.has(f))
  const privateChunks = results.loads.private.filter(f => !atStart.has(f))
  const policyChunks = results.loads.policy.filter(f => !atStart.has(f))
  // a chunk by what it holds: the CEL library, the age library, or our code around each
  const chunkRole = f => {
    const text = readFileSync(join(DIST, f), 'utf8')
    if (policyChunks.includes(f)) return text.includes('class CelError') ? 'the CEL library, @marcbachmann/cel-js (policy)' : 'our CEL checks and rows (policy)'
    if (privateChunks.includes(f))
      return text.includes('age-encryption.org/v1')
        ? 'the age library, age-encryption, and noble (private part)'
        : 'the private part: sealing and opening with age'
    if (globChunks.includes(f)) return 'a chunk for SBOM globs (tinyglobby)'
    return 'a chunk of the Sigstore clients (signing, signer checks)'
  }
  const role = f =>
    f === 'index.js'
      ? 'the action (action.yml `main`)'
      : f === 'cli.js'
        ? 'the CLI (package.json `bin`)'
        : f === 'bundle.js'
          ? 'the code of both (ncc, minified)'
          : /^\d+\.index\.js$/.test(f)
            ? chunkRole(f)
            : f === 'licenses.txt'
              ? 'the licences of the bundled packages'
              : f === 'SOURCES.sha256'
                ? 'what dist/ was built from (the tests check it)'
                : f === 'package.json'
                  ? '`type: module` for the files beside it'
                  : ''
  const starts = f => [action.includes(f) && 'the action', cli.includes(f) && 'the CLI'].filter(Boolean).join(' and ')
  const when = f => (starts(f) ? `at start: ${starts(f)}` : /^\d+\.index\.js$/.test(f) ? 'on demand' : 'never (not code)')
  L.push(`### dist/: ${(total / 1e6).toFixed(2)} MB in ${results.dist.length} files, and what loads at start`)
  L.push('')
  L.push(
    `One ncc build (scripts/bundle.mjs) that both entries load. Loaded at start (recorded with __fixtures__/load-recorder.mjs): the action ${action.map(f => `\`${f}\``).join(' + ')}, \`cli.js --help\` ${cli.map(f => `\`${f}\``).join(' + ')}; an attach with an SBOM glob also ${globChunks.map(f => `\`${f}\``).join(' + ') || 'nothing more'}; an attach with a private part also ${privateChunks.map(f => `\`${f}\``).join(' + ') || 'nothing more'}; a verify with a policy also ${policyChunks.map(f => `\`${f}\``).join(' + ') || 'nothing more'}. The chunks load only when a command signs, checks a signer, expands a glob, seals or opens a private part, or checks a policy.`
  )
  L.push('')
  L.push('| file | bytes | what | loaded by |')
  L.push('| --- | --: | --- | --- |')
  for (const f of results.dist) L.push(`| \`${f.file}\` | ${f.bytes.toLocaleString('en')} | ${role(f.file)} | ${when(f.file)} |`)
  L.push('')
}

// ------------------------------------------------------------------------------------ verdicts
const V = []
const verdict = (ok, text) => V.push(`- **${ok === undefined ? 'not measured' : ok ? 'met' : 'NOT met'}** — ${text}`)
{
  const o = results.rows[0]
  const pr = results.rows[2]
  const maxReq = Math.max(...o.requests)
  verdict(
    maxReq <= 8,
    `round trips without the referrers API: attach + verify of 1 KiB took ${mmm(o.requests)} requests (target ≤ 8); the peer took ${mmm(pr.requests)} for the attach alone, with no verification`
  )
  const o2 = results.rows[3]
  verdict(
    Math.max(...o2.requests) <= 5,
    `round trips with the referrers API: attach + verify took ${mmm(o2.requests)} requests (target ≤ 5); the peer took ${mmm(results.rows[5].requests)} for the attach alone`
  )
}
const big = sboms.find(s => s.size === 512 * MiB)
if (big) {
  const base = median(results.c1.ours.map(r => r.rssMiB))
  const bigRss = Math.max(...big.ours.map(r => r.rssMiB))
  verdict(
    bigRss - base <= 64,
    `memory: peak RSS with the 512 MiB SBOM ${fmt(bigRss, 1)} MiB (worst run) vs ${fmt(base, 1)} MiB for 1 KiB (median): +${fmt(bigRss - base, 1)} MiB (target ≤ +64); the peer: ${mmm(
      big.peer.map(r => r.rssMiB),
      0
    )} MiB`
  )
  // both attaches wait SETTLE_MS (+ jitter) on this registry: compare them without it
  const net = runs => median(runs.map(r => r.wallMs - r.settleMs))
  const extra = net(big.ours) - net(results.c1.ours)
  const floor = results.refs.find(f => f.size === big.size).floorMs
  verdict(
    extra <= 1.3 * floor,
    `throughput: the 512 MiB SBOM added ${fmt(extra)} ms over the 1 KiB attach (medians, settle excluded) = ${fmt(extra / floor, 2)} × the physical floor of ${fmt(floor)} ms (target ≤ 1.3 ×); the peer took ${fmt(median(big.peer.map(r => r.wallMs)))} ms in all`
  )
} else {
  verdict(undefined, 'memory and throughput of the 512 MiB SBOM: skipped (--quick)')
}
{
  const extra = median(results.load.action) - bareMed
  verdict(extra <= 200, `load: the bundled action starts in ${fmt(extra)} ms over bare node (medians; target ≤ 200 ms)`)
}
{
  // fastest run of each size (the least noisy estimate of a child process's cost), less the 1-referrer run
  const pts = results.scale.map(s => ({ n: s.n, t: Math.min(...s.runs.map(r => r.wallMs)), m: median(s.runs.map(r => r.rssMiB)) }))
  const base = pts[0]
  const per = p => ((p.t - base.t) / p.n) * 1000
  // at 1,000 the cost is within the noise of a process start: compare 5,000 with 2,500
  const first = pts[pts.length - 2]
  const last = pts[pts.length - 1]
  // linear: the cost per referrer at 5,000 is not above the cost per referrer at 2,500 (1.5 ×, plus 20 ms per 1,000 of noise)
  const linear = per(last) <= 1.5 * per(first) + 20
  const memGrowth = last.m - base.m
  verdict(
    linear && memGrowth <= 32,
    `scale: ${pts
      .slice(1)
      .map(p => `${p.n.toLocaleString('en')} → ${fmt(p.t)} ms (${fmt(per(p))} ms per 1,000 over the 1-referrer run), ${fmt(p.m, 1)} MiB`)
      .join('; ')}: linear ${linear ? 'yes' : 'no'}; RSS growth from 1 to 5,000 referrers ${fmt(memGrowth, 1)} MiB (bound: 32 MiB)`
  )
}
L.push('## Targets')
L.push('')
L.push(...V)
L.push('')
if (results.notes.length) L.push(...results.notes, '')
const text = L.join('\n')
process.stdout.write(`${text}\n`)
if (OUT) {
  writeFileSync(OUT, text)
  log(`saved to ${OUT}`)
}
log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`)
