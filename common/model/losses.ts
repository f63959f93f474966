/** Loss functions on probabilities/values, as the declarative model's output layer produces them. */
import type { JobSpec } from '../job-spec';
import { tf } from './tf';

const EPSILON = 1e-7;

export type LossName = JobSpec['model']['loss'];

export function lossTensor(name: LossName, labels: tf.Tensor, predictions: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    if (name === 'meanSquaredError') return tf.mean(tf.squaredDifference(labels, predictions)) as tf.Scalar;
    const p = tf.clipByValue(predictions, EPSILON, 1 - EPSILON);
    if (name === 'binaryCrossentropy') {
      const perExample = tf.add(tf.mul(labels, tf.log(p)), tf.mul(tf.sub(1, labels), tf.log(tf.sub(1, p))));
      return tf.neg(tf.mean(perExample)) as tf.Scalar;
    }
    return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.log(p)), -1))) as tf.Scalar;
  });
}
