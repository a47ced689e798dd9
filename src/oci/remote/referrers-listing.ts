/**
 * Referrers: the capability state (unknown → supported | unsupported), the referrers API with
 * `Link` pagination and filters, and the tag schema for registries without the API.
 * https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#listing-referrers
 * https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#referrers-tag-schema
 */
import { OciError } from '../../errors.js'
import { EMPTY_DESCRIPTOR, isIndexMediaType, MediaType } from '../media-types.js'
import { absentIfNotFound, filterByArtifactType, readReferrersTag } from '../referrer-descriptors.js'
import type { ListReferrersOptions, ReferrersCapability, ReferrersListing } from '../target.js'
import { isIndex, parseManifest, type Descriptor } from '../types.js'
import { errCtx, v2, type RepoContext } from './repo-context.js'
import { parseNextLink, sameOrigin } from './link.js'
import { fetchManifest } from './manifests.js'
import { isRedirect } from './http-rules.js'
import type { Reply } from './transport.js'

/**
 * Pages followed before giving up: a registry that pages forever must not hang the build. Registries
 * page by 50 to 250 descriptors; 256 pages of 100 is 25,600 referrers, far past any real image.
 */
export const MAX_REFERRERS_PAGES = 256
/** Bytes of one referrers page; a page is an image index, held to the manifest limit. */
export const MAX_REFERRERS_PAGE_BYTES = 4 * 1024 * 1024
/** Bytes over all pages together (a descriptor with its annotations is 0.5 to 2 KiB). */
export const MAX_REFERRERS_TOTAL_BYTES = 64 * 1024 * 1024

/**
 * The capability as learnt from a ping or a listing. `OCI-Subject` on a PUT does not count: ECR has
 * sent it without serving the API, so only reads of the API itself decide.
 */
export class ReferrersState {
  capability: ReferrersCapability = 'unknown'
  /** set by a ping or a listing */
  confirmed = false

  note(c: ReferrersCapability): void {
    this.capability = c
    this.confirmed = c !== 'unknown'
  }
}

function referrersUrl(ctx: RepoContext, digest: string, artifactType?: string): string {
  return v2(ctx, `referrers/${digest}${artifactType ? `?artifactType=${encodeURIComponent(artifactType)}` : ''}`)
}

/** An HTML page (a registry's web UI) is no referrers API, whatever its status. */
function isHtml(headers: Headers): boolean {
  const ct = headers.get('content-type')?.split(';')[0]?.trim().toLowerCase()
  return ct === 'text/html' || ct === 'application/xhtml+xml'
}

/**
 * One GET of the referrers API. 404 (the API is not served), a redirect to another origin (GHCR
 * sends some packages' referrers to its web UI on github.com, which may answer 429) and an HTML page
 * come back as answers, not errors: each means "no API here", and the tag schema is read instead.
 * The redirect is not followed, so a throttled web page cannot fail the command.
 */
async function getPage(ctx: RepoContext, url: string, op: string): Promise<Reply> {
  return ctx.transport.request({
    method: 'GET',
    url,
    kind: 'referrers',
    headers: { accept: MediaType.ImageIndex },
    access: 'pull',
    idempotent: true,
    ok: [200, 404],
    answers: (status, headers) => isRedirect(status) || isHtml(headers),
    crossOriginRedirects: 'answer',
    readBody: MAX_REFERRERS_PAGE_BYTES,
    ctx: errCtx(ctx, op, 'in')
  })
}

/** Why an answer shows that the API is not served, for the log. */
function noApiReason(reply: Reply): string {
  if (isRedirect(reply.status)) {
    const to = reply.headers.get('location')
    let where = 'another origin'
    try {
      if (to) where = new URL(to, reply.url).origin
    } catch {
      // an unparsable Location: another origin all the same
    }
    return `it redirects to ${where} (${reply.status})`
  }
  if (isHtml(reply.headers)) return `it answers an HTML page (${reply.status})`
  if (reply.status === 404) return 'it answers 404'
  return `it answers something other than an image index (${reply.status})`
}

/** The index of one page, or undefined when the answer is not an image index (no API behind it). */
function pageIndex(reply: Reply): Descriptor[] | undefined {
  const ct = reply.headers.get('content-type')?.split(';')[0]?.trim()
  if (ct && !isIndexMediaType(ct) && ct !== MediaType.Json) return undefined
  try {
    const m = parseManifest(reply.body, 'referrers response')
    return isIndex(m) ? m.manifests : undefined
  } catch {
    return undefined
  }
}

/** Ping: `GET /v2/<name>/referrers/<digest>` — 200 with an index → supported; 404 → unsupported. */
export async function pingReferrers(ctx: RepoContext, state: ReferrersState, digest: string = EMPTY_DESCRIPTOR.digest): Promise<ReferrersCapability> {
  if (state.confirmed) return state.capability
  const reply = await getPage(ctx, referrersUrl(ctx, digest), 'check the referrers API')
  const supported = reply.status === 200 && pageIndex(reply) !== undefined
  if (!supported) ctx.logger.debug(`${ctx.where}: no referrers API (${noApiReason(reply)}); using the referrers tag schema`)
  state.note(supported ? 'supported' : 'unsupported')
  return state.capability
}

function filtersApplied(headers: Headers): string[] {
  return (headers.get('oci-filters-applied') ?? '')
    .split(',')
    .map(s => s.trim())
    .filter(Boolean)
}

/** The API, all pages. Undefined when the first answer shows the API is not served. */
async function listViaApi(ctx: RepoContext, state: ReferrersState, subject: Descriptor, artifactType?: string): Promise<ReferrersListing | undefined> {
  const op = `list referrers of ${subject.digest}`
  let url = ctx.transport.url(referrersUrl(ctx, subject.digest, artifactType))
  const descriptors: Descriptor[] = []
  let applied = Boolean(artifactType)
  let total = 0
  for (let page = 0; ; page++) {
    if (page >= MAX_REFERRERS_PAGES) {
      throw new OciError('SIZE_EXCEEDED', `${op} in ${ctx.where}: more than ${MAX_REFERRERS_PAGES} pages of referrers`, {
        op,
        where: ctx.where,
        hint: 'the registry keeps paging; narrow the listing with an artifactType'
      })
    }
    const reply = await getPage(ctx, url, op)
    const manifests = reply.status === 200 ? pageIndex(reply) : undefined
    if (!manifests) {
      if (page === 0) {
        ctx.logger.debug(`${ctx.where}: no referrers API (${noApiReason(reply)}); using the referrers tag schema`)
        state.note('unsupported')
        return undefined
      }
      throw new OciError('INVALID_RESPONSE', `${op} in ${ctx.where}: page ${page + 1} is not an image index (status ${reply.status})`, {
        op,
        where: ctx.where,
        status: reply.status
      })
    }
    if (page === 0) state.note('supported')
    total += reply.body.length
    if (total > MAX_REFERRERS_TOTAL_BYTES) {
      throw new OciError('SIZE_EXCEEDED', `${op} in ${ctx.where}: referrers listing over ${MAX_REFERRERS_TOTAL_BYTES} bytes`, { op, where: ctx.where })
    }
    descriptors.push(...manifests)
    if (artifactType && !filtersApplied(reply.headers).includes('artifactType')) applied = false
    const next = parseNextLink(reply.headers.get('link'), reply.url)
    if (!next) break
    if (!sameOrigin(next, reply.url)) {
      throw new OciError('INVALID_RESPONSE', `${op} in ${ctx.where}: the next page is on another origin (${new URL(next).origin}); not following it`, {
        op,
        where: ctx.where
      })
    }
    url = next
  }
  return { descriptors: applied ? descriptors : filterByArtifactType(descriptors, artifactType), via: 'api', filtersApplied: applied }
}

/**
 * The tag schema: the index tagged `<alg>-<hex>`. Missing → no referrers. A tag that resolves to the
 * subject itself (GitLab) or to something other than an index is not a referrers index.
 */
export async function listViaTagSchema(ctx: RepoContext, subject: Descriptor, artifactType?: string): Promise<ReferrersListing> {
  const got = await readReferrersTag(
    absentIfNotFound(tag => fetchManifest(ctx, tag)),
    subject.digest
  )
  if (got.state === 'other') ctx.logger.warning(`${ctx.where}: ${got.problem}; ignoring it`)
  const descriptors = got.state === 'index' ? filterByArtifactType(got.index.manifests, artifactType) : []
  return { descriptors, via: 'tag-schema', filtersApplied: false }
}

export async function listReferrers(ctx: RepoContext, state: ReferrersState, subject: Descriptor, opts: ListReferrersOptions = {}): Promise<ReferrersListing> {
  if (!(state.confirmed && state.capability === 'unsupported')) {
    // an unconfirmed capability: the first listing doubles as the ping
    const listed = await listViaApi(ctx, state, subject, opts.artifactType)
    if (listed) return listed
  }
  return listViaTagSchema(ctx, subject, opts.artifactType)
}
