// A saved model.json uses tfjs-layers' own layers wherever one computes the same function, so that
// a program without archc's runtime can load it. The lowering already does so except for a model's
// first convolution, which runs as ArchcConv while training (tfjs-layers' Conv2D would also compute
// the gradient of the images). At save time such a convolution becomes the Conv2D it equals: one
// group, no dilation, 2-D, and padding that is "valid" (none) or "same" (stride 1, (k - 1) / 2 on
// each side). Its weights (kernel HWIO, bias) are Conv2D's, under the same names.

interface LayerJson {
  class_name: string;
  config: Record<string, unknown>;
}

const zeros = { class_name: 'Zeros', config: {} };

/** The Conv2D config an ArchcConv config equals, or undefined when none does. */
export function conv2dConfig(c: Record<string, unknown>): Record<string, unknown> | undefined {
  const kernel = c['kernel'] as number[];
  const stride = c['stride'] as number[];
  const begin = c['begin'] as number[];
  const end = c['end'] as number[];
  if (kernel.length !== 2 || c['groups'] !== 1 || (c['dilation'] as number[]).some((d) => d !== 1)) return undefined;
  const none = [...begin, ...end].every((p) => p === 0);
  const same = stride.every((s) => s === 1) && kernel.every((k, i) => k % 2 === 1 && begin[i] === (k - 1) / 2 && end[i] === (k - 1) / 2);
  if (!none && !same) return undefined;
  return {
    name: c['name'],
    trainable: c['trainable'],
    filters: c['filters'],
    kernel_size: kernel,
    strides: stride,
    padding: none ? 'valid' : 'same',
    data_format: 'channels_last',
    dilation_rate: [1, 1],
    activation: 'linear',
    use_bias: c['bias'],
    kernel_initializer: zeros,
    bias_initializer: zeros,
    kernel_regularizer: null,
    bias_regularizer: null,
    activity_regularizer: null,
    kernel_constraint: null,
    bias_constraint: null,
  };
}

/** The topology with every ArchcConv that equals a Conv2D written as one (a copy; the input is kept). */
export function portableTopology<T extends object>(topology: T): T {
  const copy = structuredClone(topology) as { config?: { layers?: LayerJson[] } };
  for (const layer of copy.config?.layers ?? []) {
    if (layer.class_name !== 'ArchcConv') continue;
    const conv = conv2dConfig(layer.config);
    if (!conv) continue;
    layer.class_name = 'Conv2D';
    layer.config = conv;
  }
  return copy as T;
}
