// jest setupFiles: the tests are ES modules, which jest runs through node:vm's SourceTextModule, and
// node shows it only with --experimental-vm-modules, on every version. Without the flag jest fails on
// each suite with "Must use import to load ES Module … Use Node v24.9+": on Node 24.9+ too, because its
// native path needs the same class. Say what to run instead.
if (typeof require('node:vm').SourceTextModule !== 'function')
  throw new Error(
    'run jest as `node --experimental-vm-modules node_modules/jest/bin/jest.js` (npm test, npm run test:unit or npm run test:jest do), on Node 20 as on Node 24'
  )
