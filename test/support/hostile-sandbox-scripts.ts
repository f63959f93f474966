/**
 * More programs a hostile trainer might be (see hostile-scripts.ts for the
 * pattern): each writes what it observed to /out/result.json and exits 0,
 * unless the sandbox stops it first.
 */

const PRELUDE = `
const fs = require('fs');
const report = (value) => fs.writeFileSync('/out/result.json', JSON.stringify(value));
const attempt = (fn) => { try { fn(); return 'SUCCEEDED'; } catch (err) { return err.code || String(err); } };
`;

/** Reads the dataset it was given: its header, whether a column it was not granted is there, how the file looks from inside. */
export function columnProbe(datasetInside: string, wanted: string): string {
  return `${PRELUDE}
const data = ${JSON.stringify(datasetInside)};
const header = fs.readFileSync(data, 'utf8').split('\\n')[0].split(',');
const info = fs.statSync(data);
report({ header, hasWanted: header.includes(${JSON.stringify(wanted)}), data: fs.readdirSync('/data'), uid: info.uid, gid: info.gid, mode: info.mode & 0o777 });
`;
}

/** Creates `count` empty files in /out, then reports how many it made. */
export function entryFlood(count: number): string {
  return `${PRELUDE}
let made = 0;
let stopped = 'NONE';
try {
  for (; made < ${count}; made++) fs.closeSync(fs.openSync('/out/f' + made, 'w'));
} catch (err) {
  stopped = err.code || String(err);
}
report({ made, stopped });
`;
}

/** Plants links in /out where the agent looks for its results, pointing at a host file, then exits 0. */
export function linkPlant(hostTarget: string): string {
  return `${PRELUDE}
fs.symlinkSync(${JSON.stringify(hostTarget)}, '/out/result.json');
fs.symlinkSync(${JSON.stringify(hostTarget)}, '/out/contribution.bin');
fs.mkdirSync('/out/nested');
fs.symlinkSync('/etc/passwd', '/out/nested/error.json');
`;
}

/** What the kernel says about the trainer's process: seccomp, no-new-privileges, IPC namespace, /dev/shm, /out, and a hard link attempt. */
export const KERNEL_PROBE = `${PRELUDE}
const status = Object.fromEntries(fs.readFileSync('/proc/self/status', 'utf8').split('\\n').filter((line) => line.includes(':')).map((line) => { const [key, ...rest] = line.split(':'); return [key, rest.join(':').trim()]; }));
const shm = fs.statfsSync('/dev/shm');
const out = fs.statSync('/out');
fs.writeFileSync('/out/plain.txt', 'x');
report({
  noNewPrivs: status.NoNewPrivs,
  seccomp: status.Seccomp,
  ipcNamespace: fs.readlinkSync('/proc/self/ns/ipc'),
  shmBytes: shm.bsize * shm.blocks,
  out: { uid: out.uid, gid: out.gid, mode: out.mode & 0o7777 },
  hardLink: attempt(() => fs.linkSync('/out/plain.txt', '/out/linked.txt')),
  shmWrite: attempt(() => fs.writeFileSync('/dev/shm/x', Buffer.alloc(1024))),
});
`;
