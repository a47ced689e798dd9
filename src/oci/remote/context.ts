/** What the per-concern modules (manifests, blobs, referrers) share about one repository. */
import type { Logger } from '../../log.js'
import type { ImageRef } from '../reference.js'
import type { HttpErrorContext } from './errors.js'
import type { Transport } from './transport.js'

export interface RepoContext {
  ref: ImageRef
  transport: Transport
  logger: Logger
  /** `localhost:5000/app` */
  subject: string
}

/** `/v2/<name>/<rest>`: the repository path is already validated by the reference grammar. */
export function v2(ctx: RepoContext, rest: string): string {
  return `/v2/${ctx.ref.repository}/${rest}`
}

export function errCtx(ctx: RepoContext, op: string, preposition: HttpErrorContext['preposition']): HttpErrorContext {
  return { op, subject: ctx.subject, registry: ctx.ref.registry, preposition }
}
