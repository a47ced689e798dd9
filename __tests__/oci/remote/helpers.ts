/** The remote client as the integration tests use it: fast retries, nothing from the environment. */
import { parseReference } from '../../../src/oci/reference.js'
import { RemoteTarget, type RemoteOptions } from '../../../src/oci/remote/remote-target.js'

export function target(host: string, repo: string, opts: RemoteOptions = {}): RemoteTarget {
  return new RemoteTarget(parseReference(`${host}/${repo}:latest`), { retries: 3, backoffBaseMs: 5, timeoutMs: 10_000, env: {}, ...opts })
}
