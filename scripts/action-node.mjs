// Prints the path of a Node binary of the major that action.yml runs the action on (`runs.using:
// node24`), for the test command's second run (scripts/test.sh). On first use it installs the pinned
// release from the npm registry's node-<os>-<arch> package, which carries the binary inside the package,
// into a cache outside the project, and checks that the binary runs and is that version.
//
// Why a cache and not a devDependency: the package declares a `node` bin, so as a devDependency npm
// links node_modules/.bin/node, and every npm script and npx puts that directory first on PATH: `npm
// test` would run everything, the run on the lowest Node the package claims included, on Node 24
// without a word. It also declares os and cpu, so `npm ci` would fail on any other platform, and it is
// 190 MB on disk for everyone who installs the project. npm versions are immutable, so the exact pin
// below is as reproducible as a lock entry (npm checks the tarball against the registry's integrity).
//
// Usage: node scripts/action-node.mjs   (prints the path; progress and errors go to stderr)
// OBM_NODE_CACHE overrides the cache directory (default: $XDG_CACHE_HOME or ~/.cache, /oci-build-metadata).
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The Node 24 release the tests run on; raise it with the runner's (the package must exist for linux x64 and arm64). */
export const PINNED = '24.22.3'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** The major of `runs.using: nodeNN` in action.yml. */
export function declaredMajor(actionYml = readFileSync(join(ROOT, 'action.yml'), 'utf8')) {
  const m = /^\s+using:\s*['"]?node(\d+)['"]?\s*$/m.exec(actionYml)
  if (!m) throw new Error('action.yml has no `runs.using: nodeNN`')
  return Number(m[1])
}

function packageName() {
  const arch = { x64: 'x64', arm64: 'arm64' }[process.arch]
  if (process.platform !== 'linux' || !arch)
    throw new Error(`the npm registry's node-<os>-<arch> packages of Node ${PINNED} are for linux x64 and arm64; this is ${process.platform} ${process.arch}`)
  return `node-linux-${arch}`
}

function versionOf(bin) {
  try {
    return execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim()
  } catch {
    return undefined
  }
}

function install() {
  const major = declaredMajor()
  if (Number(PINNED.split('.')[0]) !== major)
    throw new Error(`action.yml runs on node${major} but scripts/action-node.mjs pins Node ${PINNED}: pin a ${major}.x release`)
  const pkg = packageName()
  const cacheRoot = process.env.OBM_NODE_CACHE ?? join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'oci-build-metadata')
  const dir = join(cacheRoot, `${pkg}-${PINNED}`)
  const bin = join(dir, 'node_modules', pkg, 'bin', 'node')
  if (versionOf(bin) === `v${PINNED}`) return bin
  mkdirSync(cacheRoot, { recursive: true })
  // install beside the cache entry, then rename it into place: a run that stops half way, or another
  // checkout installing at the same time, never leaves a half-written entry behind
  const tmp = mkdtempSync(`${dir}.tmp-`)
  try {
    process.stderr.write(`installing ${pkg}@${PINNED} (Node ${PINNED}, the runtime action.yml declares) into ${dir}\n`)
    execFileSync('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--ignore-scripts', '--prefix', tmp, `${pkg}@${PINNED}`], {
      stdio: ['ignore', 'ignore', 'inherit']
    })
    const got = versionOf(join(tmp, 'node_modules', pkg, 'bin', 'node'))
    if (got !== `v${PINNED}`) throw new Error(`${pkg}@${PINNED} installed a binary that reports ${got ?? 'nothing'}`)
    try {
      renameSync(tmp, dir)
    } catch {
      // the entry is there: another checkout renamed its copy into place first (use it), or it is broken
      if (versionOf(bin) !== `v${PINNED}`) {
        rmSync(dir, { recursive: true, force: true })
        renameSync(tmp, dir)
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
  if (versionOf(bin) !== `v${PINNED}`) throw new Error(`${bin} does not run as Node ${PINNED}`)
  return bin
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.stdout.write(`${install()}\n`)
  } catch (e) {
    process.stderr.write(`action-node: ${e instanceof Error ? e.message : String(e)}\n`)
    process.exit(1)
  }
}
