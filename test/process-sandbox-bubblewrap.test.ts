/**
 * The process sandbox under bubblewrap, where bwrap is installed and usable:
 * the trainer gets no network and sees neither the agent's other files nor
 * other datasets. Without bwrap the process sandbox offers no such
 * isolation (and says so), so this suite is skipped with a visible message.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProcessSandbox } from '../participant-agent/sandbox/process-sandbox';
import { bubblewrapUsable } from '../participant-agent/sandbox/bubblewrap';
import { makeTempDir, removeTempDir } from './support/temp-dir';

// The probe writes what it observed into the output folder it is given, then exits 0.
const PROBE = `
const fs = require('fs');
const net = require('net');
const out = process.argv[process.argv.indexOf('--output') + 1];
const attempt = (fn) => { try { fn(); return 'SUCCEEDED'; } catch (err) { return err.code || String(err); } };
const connect = (host, port) => new Promise((resolve) => {
  const socket = net.connect({ host, port });
  const timer = setTimeout(() => { socket.destroy(); resolve('TIMEOUT'); }, 2000);
  socket.on('connect', () => { clearTimeout(timer); socket.destroy(); resolve('CONNECTED'); });
  socket.on('error', (err) => { clearTimeout(timer); resolve(err.code || String(err)); });
});
(async () => {
  fs.writeFileSync(out + '/result.json', JSON.stringify({
    internet: await connect('1.1.1.1', 80),
    readOtherFile: attempt(() => fs.readFileSync(SECRET_PATH)),
    interfaces: Object.keys(require('os').networkInterfaces()).sort(),
  }));
})();
`;

const usable = bubblewrapUsable();
if (!usable) process.stderr.write('SKIPPING the bubblewrap suite: bwrap is not installed or cannot create namespaces here\n');
const suite = usable ? describe : describe.skip;

suite('the process sandbox under bubblewrap', () => {
  let dir: string;

  beforeAll(() => {
    dir = makeTempDir('bwrap');
  });

  afterAll(() => removeTempDir(dir));

  test('the trainer has no network and cannot read files outside its mounts', async () => {
    const secret = join(dir, 'other-bank.csv');
    writeFileSync(secret, 'X1,Y\n1,0\n');
    const script = join(dir, 'probe.js');
    // The probe tries to read the other bank's file, whose path it is given.
    writeFileSync(script, PROBE.replace('SECRET_PATH', JSON.stringify(secret)));
    const dataset = join(dir, 'bank-1.csv');
    writeFileSync(dataset, 'X1,Y\n1,0\n');
    const inputDir = join(dir, 'in');
    const outputDir = join(dir, 'out');
    mkdirSync(inputDir);
    mkdirSync(outputDir);
    const sandbox = new ProcessSandbox(script);

    const run = await sandbox.start({ inputDir, outputDir, dataPath: dataset, timeoutMs: 20_000, labels: {} });
    const exit = await run.wait();

    expect(sandbox.bubblewrap).toBe(true);
    expect({ exitCode: exit.exitCode, timedOut: exit.timedOut }).toEqual({ exitCode: 0, timedOut: false });
    const observed = JSON.parse(readFileSync(join(outputDir, 'result.json'), 'utf8')) as Record<string, unknown>;
    expect(observed).toEqual({ internet: 'ENETUNREACH', readOtherFile: 'ENOENT', interfaces: ['lo'] });
  });
});
