/**
 * Programs a malicious or broken trainer might be, as `node -e` sources for
 * the base image (node only, no shell). Each one that survives writes what
 * it observed to /out/result.json and exits 0, so the test can tell "the
 * attempt failed with this error" from "the program never ran".
 */

/** The first lines of every script: `report(value)` writes /out/result.json. */
const PRELUDE = `
const fs = require('fs');
const report = (value) => fs.writeFileSync('/out/result.json', JSON.stringify(value));
const attempt = (fn) => { try { fn(); return 'SUCCEEDED'; } catch (err) { return err.code || String(err); } };
`;

/** What a probe records per attempt: the error code, or 'SUCCEEDED'. */
export type AttemptReport = Record<string, string>;

/** TCP connects to the internet and to the host's bridge gateway, and a DNS lookup. */
export function networkProbe(gatewayAddress: string): string {
  return `${PRELUDE}
const net = require('net');
const dns = require('dns');
const connect = (host, port) => new Promise((resolve) => {
  const socket = net.connect({ host, port });
  const timer = setTimeout(() => { socket.destroy(); resolve('TIMEOUT'); }, 2000);
  socket.on('connect', () => { clearTimeout(timer); socket.destroy(); resolve('CONNECTED'); });
  socket.on('error', (err) => { clearTimeout(timer); resolve(err.code || String(err)); });
});
const lookup = (name) => new Promise((resolve) => dns.lookup(name, (err, address) => resolve(err ? err.code : 'RESOLVED ' + address)));
(async () => {
  report({
    internet: await connect('1.1.1.1', 80),
    gateway: await connect(${JSON.stringify(gatewayAddress)}, 80),
    dockerApi: await connect(${JSON.stringify(gatewayAddress)}, 2375),
    dns: await lookup('example.com'),
    interfaces: Object.keys(require('os').networkInterfaces()).sort(),
  });
})();
`;
}

/** Every way to change the dataset, the inputs and the root file system. */
export function writeProbe(datasetInside: string): string {
  return `${PRELUDE}
const data = ${JSON.stringify(datasetInside)};
report({
  overwrite: attempt(() => fs.writeFileSync(data, 'planted')),
  append: attempt(() => fs.appendFileSync(data, 'planted')),
  chmod: attempt(() => fs.chmodSync(data, 0o777)),
  remove: attempt(() => fs.unlinkSync(data)),
  rename: attempt(() => fs.renameSync(data, data + '.moved')),
  createBeside: attempt(() => fs.writeFileSync(data + '.planted', 'planted')),
  input: attempt(() => fs.writeFileSync('/in/task.json', '{}')),
  rootFileSystem: attempt(() => fs.writeFileSync('/planted', 'planted')),
});
`;
}

/** Tries to read each path; records 'SUCCEEDED' or the error code, plus what / and /data list. */
export function readProbe(paths: string[]): string {
  return `${PRELUDE}
const reads = {};
for (const path of ${JSON.stringify(paths)}) reads[path] = attempt(() => fs.readFileSync(path));
report({ reads, root: fs.readdirSync('/').sort(), data: fs.readdirSync('/data').sort() });
`;
}

/** Spawns children that sleep, as many as it can; reports how many started and the errors. */
export function forkBomb(attempts: number): string {
  return `${PRELUDE}
const { spawn } = require('child_process');
let started = 0;
const errors = {};
const count = (code) => { errors[code] = (errors[code] || 0) + 1; };
for (let i = 0; i < ${attempts}; i++) {
  try {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    child.on('spawn', () => { started++; });
    child.on('error', (err) => count(err.code || String(err)));
  } catch (err) {
    count('sync:' + (err.code || String(err)));
  }
}
setTimeout(() => { report({ started, errors }); process.exit(0); }, 1500);
`;
}

/** Allocates and touches memory outside the V8 heap until something stops it. */
export const MEMORY_BOMB = `
const kept = [];
for (;;) kept.push(Buffer.alloc(16 * 1024 * 1024, 1));
`;

export const ENDLESS_LOOP = 'for (;;) {}';

/** Writes `bytes` to /out/big.bin in 64 KiB chunks; reports how far it got and how it stopped. */
export function outputFlood(bytes: number): string {
  return `${PRELUDE}
const chunk = Buffer.alloc(64 * 1024, 7);
let written = 0;
let stopped = 'NONE';
const fd = fs.openSync('/out/big.bin', 'w');
try {
  while (written < ${bytes}) written += fs.writeSync(fd, chunk);
} catch (err) {
  stopped = err.code || String(err);
}
fs.closeSync(fd);
fs.writeFileSync('/out/flood.json', JSON.stringify({ written, stopped }));
`;
}

/** Who the program runs as: ids, capabilities and the no-new-privileges flag. */
export const IDENTITY_PROBE = `${PRELUDE}
const status = Object.fromEntries(fs.readFileSync('/proc/self/status', 'utf8').split('\\n').filter((line) => line.includes(':')).map((line) => { const [key, ...rest] = line.split(':'); return [key, rest.join(':').trim()]; }));
report({ uid: process.getuid(), gid: process.getgid(), euid: process.geteuid(), groups: process.getgroups(), capEff: status.CapEff, capBnd: status.CapBnd, noNewPrivs: status.NoNewPrivs });
`;

/** Writes `lines` numbered lines to stdout and to stderr, then exits 0. */
export function logFlood(lines: number): string {
  return `
const pad = 'x'.repeat(60);
for (let i = 0; i < ${lines}; i++) {
  process.stdout.write('flood out ' + i + ' ' + pad + '\\n');
  process.stderr.write('flood err ' + i + ' ' + pad + '\\n');
}
`;
}
