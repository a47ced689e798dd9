/**
 * Opening a target for a reference: a registry or an OCI layout, behind the same interface.
 */
import type { Inputs } from '../inputs.js'
import type { Logger } from '../log.js'
import { LayoutTarget } from './layout/index.js'
import type { ImageRef } from './reference.js'
import { RemoteTarget } from './remote/index.js'
import type { Target } from './target.js'

export const USER_AGENT = 'oci-build-metadata/0.1'

export function openTarget(ref: ImageRef, inputs: Pick<Inputs, 'username' | 'password' | 'insecureRegistries' | 'command'>, logger: Logger, env: NodeJS.ProcessEnv): Target {
  if (ref.kind === 'layout') return new LayoutTarget(ref, { logger })
  return new RemoteTarget(ref, {
    ...(inputs.username && inputs.password ? { credentials: { username: inputs.username, password: inputs.password } } : {}),
    insecureRegistries: inputs.insecureRegistries,
    logger,
    env,
    userAgent: USER_AGENT
  })
}
