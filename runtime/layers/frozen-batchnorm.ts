// Keras's rule for frozen batch normalization: a BatchNormalization layer that is not trainable
// runs in inference mode, normalizing with its moving statistics and leaving them alone, even while
// the rest of the model trains. tfjs-layers ignores `trainable` there, so a frozen backbone would
// keep drifting its statistics toward the new data (and normalize with batch statistics) during
// transfer learning. Applied to the class, so it holds for models reloaded from model.json too.
import { layers } from '@tensorflow/tfjs-layers';
import type * as tf from '@tensorflow/tfjs-core';
import type { Kwargs } from './base.js';

type Call = (this: { trainable: boolean }, inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs) => tf.Tensor | tf.Tensor[];

const batchNormalization = Object.getPrototypeOf(layers.batchNormalization({})) as { call: Call; archcFrozenRule?: true };

if (!batchNormalization.archcFrozenRule) {
  const call = batchNormalization.call;
  batchNormalization.call = function (inputs, kwargs) {
    return call.call(this, inputs, this.trainable ? kwargs : { ...kwargs, training: false });
  };
  batchNormalization.archcFrozenRule = true;
}
