/**
 * Submitting a job from the regulator console: the spec is validated here
 * (so the browser hears at once which field is wrong), then `shoal job
 * submit` runs as its own detached process, exactly as from a terminal, and
 * keeps running if the console stops. Its output goes to the job folder's
 * submit.log.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseJobSpecYaml } from '../../common/job-spec';
import { ConsoleRequestError } from '../../console';
import { jobFolder } from '../job-status';

export interface SubmitterOptions {
  outRoot: string;
  natsUrl: string;
  keyPath: string;
  pkiDir: string;
  host: string;
  launcher: 'process' | 'docker';
  /** Called when a submit process ends, with its exit code. */
  onExit: (jobId: string, code: number | null) => void;
}

export class JobSubmitter {
  /** Exit codes of submit processes that ended, by job. */
  readonly exits = new Map<string, number | null>();

  constructor(private readonly options: SubmitterOptions) {}

  submit(specYaml: string): { jobId: string } {
    // Validated as `shoal job submit` will; CONFIG_INVALID names the field.
    const spec = parseJobSpecYaml(specYaml, 'the uploaded job spec');
    const dir = jobFolder(this.options.outRoot, spec.jobId);
    if (existsSync(join(dir, 'status.json')) || existsSync(join(dir, 'submit.log'))) {
      throw new ConsoleRequestError(409, 'JOB_EXISTS', `job ${spec.jobId} already exists under ${this.options.outRoot}; give the spec a new jobId`);
    }
    mkdirSync(dir, { recursive: true });
    const specPath = join(dir, 'submitted-job.yaml');
    writeFileSync(specPath, specYaml);
    const o = this.options;
    const log = openSync(join(dir, 'submit.log'), 'a');
    const args = [join(__dirname, '..', 'shoal.js'), 'job', 'submit', specPath, '--nats', o.natsUrl, '--out', o.outRoot, '--key', o.keyPath, '--pki', o.pkiDir, '--host', o.host, '--launcher', o.launcher];
    // Detached: its own process group, so stopping the console (Ctrl-C) does not stop the job.
    const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', log, log] });
    closeSync(log);
    child.on('exit', (code) => {
      this.exits.set(spec.jobId, code);
      o.onExit(spec.jobId, code);
    });
    child.unref();
    return { jobId: spec.jobId };
  }
}
