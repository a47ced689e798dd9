// `node --import <this file>`: appends the path of every file the ES module loader loads (the entry
// file, its imports and each dynamic import(), as ncc's chunks are loaded) to the file named by
// OBM_LOADED_FILES, one per line. The tests and the bench use it to show which files of dist/ a
// command loads at start and which only on demand.
import { appendFileSync } from 'node:fs'
import module from 'node:module'
import { fileURLToPath } from 'node:url'
import { isMainThread } from 'node:worker_threads'

const out = process.env.OBM_LOADED_FILES

function record(url) {
  if (out && url.startsWith('file:')) appendFileSync(out, `${fileURLToPath(url)}\n`)
}

/** The load hook, for module.register (Node 20: hooks run on their own thread, which loads this file). */
export async function load(url, context, nextLoad) {
  record(url)
  return nextLoad(url, context)
}

if (out && isMainThread) {
  // Node 22.15+ and 24 run hooks in the thread that loads (module.registerHooks); Node 20 has only register
  if (typeof module.registerHooks === 'function')
    module.registerHooks({
      load(url, context, nextLoad) {
        record(url)
        return nextLoad(url, context)
      }
    })
  else module.register(import.meta.url)
}
