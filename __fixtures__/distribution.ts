/**
 * The real CNCF distribution registry for integration tests. One implementation, in plain JS, serves
 * the tests and the bench script (which cannot import TypeScript): see distribution-server.mjs.
 */
export { freePort, startDistribution, type Distribution } from './distribution-server.mjs'
