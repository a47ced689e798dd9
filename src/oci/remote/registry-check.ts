/**
 * Is there an OCI registry at this origin at all? A 404 that no registry sent (no
 * `Docker-Distribution-API-Version` header, no error body of the spec) may come from a web server, a
 * proxy's error page or the wrong port: then `GET /v2/`, which every registry answers with 200 or 401
 * and that header (distribution-spec v1.1.0, "Determining support"), tells. Asked once per target,
 * without credentials. Not a registry is exit 3 (the registry could not be asked), never "not found".
 */
import type { OciError } from '../../errors.js'
import { MAX_ERROR_BODY_BYTES, notARegistry, parseRegistryErrors, type HttpErrorContext } from './registry-errors.js'
import type { Reply, RequestSpec } from './request.js'

/** An answer only a registry gives: its API version header, or the spec's error body. */
function fromARegistry(reply: Reply): boolean {
  return reply.headers.has('docker-distribution-api-version') || parseRegistryErrors(reply.body).length > 0
}

export class RegistryCheck {
  private ping?: Promise<Reply | undefined>

  constructor(
    private readonly request: (spec: RequestSpec) => Promise<Reply>,
    private readonly origin: string,
    private readonly opts: { where: string; registry: string }
  ) {}

  /** The error to report instead of this 404, when no registry answers at the origin; undefined when one does. */
  async explain404(ctx: HttpErrorContext, reply: Reply): Promise<OciError | undefined> {
    if (fromARegistry(reply)) return undefined
    const ping = await this.pingOnce()
    if (!ping || fromARegistry(ping) || ping.status === 200 || ping.status === 401) return undefined
    return notARegistry(ctx, this.origin, ping.status)
  }

  /** `GET /v2/`, once; undefined when it got no answer (the 404 that led here then stands). */
  private pingOnce(): Promise<Reply | undefined> {
    this.ping ??= this.request({
      method: 'GET',
      url: '/v2/',
      kind: 'ping',
      access: 'pull',
      idempotent: true,
      ok: [],
      answers: () => true,
      readBody: MAX_ERROR_BODY_BYTES,
      noAuth: true,
      ctx: { op: 'check the registry API', where: this.opts.where, registry: this.opts.registry, preposition: 'of' }
    }).catch(() => undefined)
    return this.ping
  }
}
