// jest setupFilesAfterEnv: a unit test (any *.test.ts but *.itg.test.ts) runs anywhere, without a
// registry or a network, so it must not open a socket; one that does fails here, naming the file, and
// belongs in a *.itg.test.ts. Core modules are shared by every suite a worker runs, so each suite
// starts from the real methods (kept on the module the first time) whatever the previous suite did,
// even one that failed to load before its afterAll could run.
const net = require('node:net')
const { relative } = require('node:path')

const REAL = Symbol.for('oci-build-metadata.real-socket-methods')
net[REAL] ??= { listen: net.Server.prototype.listen, connect: net.Socket.prototype.connect }
net.Server.prototype.listen = net[REAL].listen
net.Socket.prototype.connect = net[REAL].connect

const testPath = expect.getState().testPath ?? ''
if (!/\.itg\.test\.ts$/.test(testPath)) {
  const file = relative(process.cwd(), testPath)
  const refuse = what =>
    function refused() {
      throw new Error(`${file} is a unit test and called ${what}: unit tests open no sockets (a test that needs a server is a *.itg.test.ts)`)
    }
  net.Server.prototype.listen = refuse('net.Server.listen')
  net.Socket.prototype.connect = refuse('net.Socket.connect')
  afterAll(() => {
    net.Server.prototype.listen = net[REAL].listen
    net.Socket.prototype.connect = net[REAL].connect
  })
}
