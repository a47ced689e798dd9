/**
 * The suite's in-process OCI distribution registry (spec v1.1), run by jest tests over real HTTP on
 * 127.0.0.1. It follows https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md
 * wherever it is not told to misbehave (options, faults). Files:
 * - types.ts: public types; server.ts: HTTP, recording, faults, auth, redirect target
 * - storage.ts: repositories, blobs, manifests, tags, uploads; handlers.ts: the API's routes
 * - auth.ts: Basic and Bearer with a token endpoint; referrers.ts: the referrers API; faults.ts: faults
 * - referrers-index.ts: fault mode racyReferrersIndex, a referrers index that loses concurrent pushes
 */
export type { RecordedRequest, TestRegistryOptions, TestRegistry } from './types.js'
export { startTestRegistry } from './server.js'
