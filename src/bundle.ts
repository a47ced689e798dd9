/**
 * The one module ncc bundles (scripts/bundle.mjs → dist/bundle.js). Two entry files of two lines each
 * load it: dist/index.js runs the action (action.yml `main`), dist/cli.js the CLI (package.json
 * `bin`). So the action and the CLI share one copy of the code and of the chunks loaded on demand
 * (the Sigstore clients, tinyglobby), and importing this module runs nothing.
 */
export { main as action } from './action.js'
export { cli } from './cli.js'
