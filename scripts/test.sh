#!/usr/bin/env bash
# The one test command (npm test). On a fresh Debian machine it installs what it needs first:
# node modules, Debian's distribution registry (docker-registry), htpasswd (apache2-utils),
# openssl (the TLS tests make a private CA) and age (the private part is decrypted with the age CLI too).
# Then: type-check, lint, the dist/ check, and jest twice: every test on the `node` on PATH (the lowest
# Node package.json's engines claims: CI installs Node 20), then on the Node action.yml declares
# (node24, installed from the npm registry by scripts/action-node.mjs) the unit tests and every suite
# that runs the bundle. The closing line counts the tests of both runs.
set -uo pipefail
cd "$(dirname "$0")/.."

log() { printf '== %s\n' "$*" >&2; }

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing node modules (npm ci)"
  npm ci --no-audit --no-fund >&2 || { echo "npm ci failed" >&2; exit 1; }
fi

need_pkgs=()
command -v docker-registry >/dev/null 2>&1 || [ -x /usr/bin/docker-registry ] || need_pkgs+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || need_pkgs+=(apache2-utils)
command -v openssl >/dev/null 2>&1 || need_pkgs+=(openssl)
command -v age >/dev/null 2>&1 || need_pkgs+=(age)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "installing ${need_pkgs[*]} from Debian's packages"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || true
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >&2 \
    || { echo "could not install ${need_pkgs[*]}: the registry tests need Debian's docker-registry package (and age, for the private part)" >&2; exit 1; }
fi
# the package's own service must not hold a port or storage of ours; tests start their own instances
if command -v docker-registry >/dev/null 2>&1; then :; else echo "docker-registry is missing after install" >&2; exit 1; fi

status=0
log "type-check (tsc --noEmit)"
npx --no-install tsc --noEmit || status=1

log "lint and format (biome check), unused files, exports and dependencies (knip)"
npx --no-install biome check . || status=1
npx --no-install knip || status=1

log "dist/ check"
node scripts/check-dist.mjs || status=1

node24="$(node scripts/action-node.mjs)" || { echo "could not install the Node that action.yml declares" >&2; exit 1; }

NODE_FLAGS=(--experimental-vm-modules --no-warnings=ExperimentalWarning)
JEST=node_modules/jest/bin/jest.js
results=()
trap 'rm -f "${results[@]}"' EXIT
run_jest() { # run_jest <runtime> <node> <jest args…>: one run, its JSON results in a file listed in $results
  local runtime="$1" bin="$2" out
  shift 2
  out="$(mktemp -t jest-results-XXXXXX.json)"
  results+=("$out")
  log "jest on Node $("$bin" --version) (OBM_TEST_RUNTIME=$runtime)"
  OBM_TEST_RUNTIME="$runtime" "$bin" "${NODE_FLAGS[@]}" "$JEST" --ci --json --outputFile="$out" "$@" || status=1
}

run_jest minimum node "$@"
if [ $# -gt 0 ]; then
  run_jest declared "$node24" "$@"
else
  # the unit tests, and every suite that runs dist/: those that import __fixtures__/action-runner.ts,
  # directly or through a helper (jest's dependency graph finds them, so a new suite is not forgotten)
  mapfile -t suites < <(
    {
      node "$JEST" --listTests --testPathIgnorePatterns '\.itg\.test\.ts$'
      node "$JEST" --roots '<rootDir>/__tests__' '<rootDir>/__fixtures__' --listTests --findRelatedTests __fixtures__/action-runner.ts
    } | sort -u
  )
  if [ ${#suites[@]} -lt 2 ]; then
    echo "found no suites to run on Node 24" >&2
    status=1
  fi
  run_jest declared "$node24" --runTestsByPath "${suites[@]}"
fi

counts="$(node -e '
  const fs = require("fs");
  let passed = 0, failed = 0;
  for (const f of process.argv.slice(1)) {
    try {
      const r = JSON.parse(fs.readFileSync(f, "utf8"));
      const failedSuites = r.testResults.filter(s => s.status === "failed" && s.assertionResults.length === 0).length;
      passed += r.numPassedTests;
      failed += r.numFailedTests + failedSuites;
    } catch (e) { failed += 1; }
  }
  console.log(`${passed} ${failed}`);
' "${results[@]}")"
passed="${counts% *}"; failed="${counts#* }"
[ "$failed" != "0" ] && status=1
echo "tests: ${passed} passed, ${failed} failed"
exit $status
