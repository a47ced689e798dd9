#!/usr/bin/env bash
# The one test command (npm test). On a fresh Debian machine it installs what it needs first:
# node modules, Debian's distribution registry (docker-registry), htpasswd (apache2-utils) and
# openssl (the TLS tests make a private CA).
# Then: type-check, the dist/ check, every jest test, and a closing line of counts.
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
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "installing ${need_pkgs[*]} from Debian's packages"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || true
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >&2 \
    || { echo "could not install ${need_pkgs[*]}: the registry tests need Debian's docker-registry package" >&2; exit 1; }
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

log "jest"
results="$(mktemp -t jest-results-XXXXXX.json)"
node --experimental-vm-modules --no-warnings=ExperimentalWarning node_modules/jest/bin/jest.js --ci --json --outputFile="$results" "$@"
jest_status=$?
[ $jest_status -ne 0 ] && status=1

counts="$(node -e '
  const fs = require("fs");
  try {
    const r = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    const failedSuites = r.testResults.filter(s => s.status === "failed" && s.assertionResults.length === 0).length;
    console.log(`${r.numPassedTests} ${r.numFailedTests + failedSuites}`);
  } catch (e) { console.log("0 1"); }
' "$results")"
rm -f "$results"
passed="${counts% *}"; failed="${counts#* }"
[ "$failed" != "0" ] && status=1
echo "tests: ${passed} passed, ${failed} failed"
exit $status
