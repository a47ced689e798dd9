/**
 * Opening a target for a reference: a registry or an OCI layout, behind the same interface.
 */
import type { Logger } from '../log.js'
import { VERSION } from '../version.js'
import { LayoutTarget } from './layout/layout-target.js'
import type { ImageRef } from './reference.js'
import { RemoteTarget } from './remote/remote-target.js'
import type { Credentials } from './remote/credentials.js'
import type { Target } from './target.js'

export const USER_AGENT = `oci-build-metadata/${VERSION}`

export interface OpenOptions {
  /** given credentials; otherwise config.json, GITHUB_TOKEN for ghcr.io, anonymous */
  credentials?: Credentials
  /** hosts to reach over plain HTTP */
  insecureRegistries: string[]
}

export function openTarget(ref: ImageRef, opts: OpenOptions, logger: Logger, env: NodeJS.ProcessEnv): Target {
  if (ref.kind === 'layout') return new LayoutTarget(ref, { logger })
  return new RemoteTarget(ref, {
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    insecureRegistries: opts.insecureRegistries,
    logger,
    env,
    userAgent: USER_AGENT
  })
}
