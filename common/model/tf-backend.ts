/**
 * Picks the TensorFlow.js backend once per process: the native
 * `tensorflow` backend (@tensorflow/tfjs-node, an optional dependency whose
 * install needs an outside download), else `wasm` (fast dense layers, no
 * Conv2D gradients), else the pure-JS `cpu` backend. SHOAL_TF_BACKEND forces one.
 */
import type { Logger } from 'pino';
import { tf } from './tf';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

let selected: Promise<BackendName> | undefined;

function tryNative(): boolean {
  try {
    // Registers the `tensorflow` backend in the shared tfjs-core engine when the optional package installed.
    require('@tensorflow/tfjs-node');
    return tf.findBackendFactory('tensorflow') !== null;
  } catch {
    return false;
  }
}

async function activate(name: BackendName): Promise<boolean> {
  try {
    return (await tf.setBackend(name)) && tf.getBackend() === name;
  } catch {
    return false;
  }
}

async function choose(needsConvolutionGradients: boolean, logger?: Logger): Promise<BackendName> {
  const forced = process.env.SHOAL_TF_BACKEND as BackendName | undefined;
  const order: BackendName[] = forced ? [forced] : ['tensorflow', needsConvolutionGradients ? 'cpu' : 'wasm', 'cpu'];
  const reasons: string[] = [];
  for (const name of order) {
    if (name === 'tensorflow' && !tryNative()) {
      reasons.push('tensorflow: @tensorflow/tfjs-node is not installed');
      continue;
    }
    if (await activate(name)) {
      logger?.info({ backend: name, skipped: reasons }, 'TensorFlow.js backend selected');
      return name;
    }
    reasons.push(`${name}: failed to initialise`);
  }
  throw new Error(`no TensorFlow.js backend could start (${reasons.join('; ')})`);
}

/** The process's backend; the first caller's requirements decide it. */
export function selectBackend(options: { needsConvolutionGradients: boolean; logger?: Logger }): Promise<BackendName> {
  selected ??= choose(options.needsConvolutionGradients, options.logger);
  return selected;
}
