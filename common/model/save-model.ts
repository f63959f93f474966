/**
 * Writes a model in the TensorFlow.js layers format (model.json plus one
 * weights.bin), readable by tf.loadLayersModel, without needing tfjs-node's
 * file:// handler.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf, tfl } from './tf';

export async function saveModel(model: InstanceType<typeof tfl.LayersModel>, directory: string, metadata: Record<string, unknown> = {}): Promise<{ modelJson: string; weightsBytes: number }> {
  mkdirSync(directory, { recursive: true });
  let weightsBytes = 0;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = Buffer.from(artifacts.weightData as ArrayBuffer);
      weightsBytes = weights.length;
      writeFileSync(join(directory, 'weights.bin'), weights);
      const modelJson = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
        convertedBy: 'shoal',
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
        userDefinedMetadata: metadata,
      };
      writeFileSync(join(directory, 'model.json'), JSON.stringify(modelJson));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return { modelJson: join(directory, 'model.json'), weightsBytes };
}
