/**
 * Tag listing with `Link` pagination (distribution 2.8 ignores `n`/`last` and answers in one page).
 * https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#listing-tags
 */
import { OciError } from '../../errors.js'
import { errCtx, v2, type RepoContext } from './context.js'
import { parseNextLink, sameOrigin } from './link.js'

export const MAX_TAG_PAGES = 100
export const MAX_TAG_PAGE_BYTES = 4 * 1024 * 1024

export async function listTags(ctx: RepoContext): Promise<string[]> {
  const op = 'list tags'
  const tags: string[] = []
  let url = ctx.transport.url(v2(ctx, 'tags/list'))
  for (let page = 0; page < MAX_TAG_PAGES; page++) {
    const reply = await ctx.transport.request({
      method: 'GET',
      url,
      kind: 'tags.list',
      headers: { accept: 'application/json' },
      access: 'pull',
      idempotent: true,
      ok: [200, 404],
      readBody: MAX_TAG_PAGE_BYTES,
      ctx: errCtx(ctx, op, 'of')
    })
    // a repository that does not exist yet has no tags
    if (reply.status === 404) return tags
    let json: { tags?: unknown }
    try {
      json = JSON.parse(new TextDecoder().decode(reply.body)) as typeof json
    } catch (e) {
      throw new OciError('INVALID_RESPONSE', `${op} of ${ctx.subject}: the answer is not JSON`, { op, subject: ctx.subject, cause: e })
    }
    if (Array.isArray(json.tags)) for (const t of json.tags) if (typeof t === 'string') tags.push(t)
    const next = parseNextLink(reply.headers.get('link'), reply.url)
    if (!next || !sameOrigin(next, reply.url)) return tags
    url = next
  }
  throw new OciError('SIZE_EXCEEDED', `${op} of ${ctx.subject}: more than ${MAX_TAG_PAGES} pages`, { op, subject: ctx.subject })
}
