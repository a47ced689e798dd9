/** What the per-concern modules (manifests, blobs, referrers) share about one repository. */
import type { Logger } from '../../log.js'
import type { ImageRef } from '../reference.js'
import type { HttpErrorContext } from './registry-errors.js'
import type { Transport } from './transport.js'

export interface RepoContext {
  ref: ImageRef
  transport: Transport
  logger: Logger
  /** the registry and repository, as errors name them: `localhost:5000/app` (never an OCI subject) */
  where: string
}

/** `/v2/<name>/<rest>`: the repository path is already validated by the reference grammar. */
export function v2(ctx: RepoContext, rest: string): string {
  return `/v2/${ctx.ref.repository}/${rest}`
}

export function errCtx(ctx: RepoContext, op: string, preposition: HttpErrorContext['preposition']): HttpErrorContext {
  return { op, where: ctx.where, registry: ctx.ref.registry, preposition }
}
