// A saved model.json uses tfjs-layers' own layers wherever they compute the same function, so that
// a program without archc's runtime can load it. The lowering already does so, except for two
// layers that training runs as archc's own and that have plain equivalents at inference:
//
// - a model's first convolution, ArchcConv while training because tfjs-layers' Conv2D would also
//   compute the gradient of the images, a whole backward pass that nothing uses. When it is 2-D,
//   with one group and no dilation, it is saved as a Conv2D with "valid" (no) or "same" (stride 1,
//   (k - 1) / 2 on each side) padding, or else as a ZeroPadding2D of its pads and a "valid" Conv2D
//   (ResNet's 7×7, stride 2, pad 3 stem). The weights (kernel HWIO, bias) keep their names.
// - max pooling with PyTorch's pads (ResNet's maxpool(3, stride=2, pad=1)), ArchcPool while
//   training. tfjs's "same" pooling pads differently with a stride (the extra row at the end), so
//   with odd windows padded by (k - 1) / 2 on each side it is saved as a stride-1 "same" pooling
//   (which leaves the padding out, as PyTorch's max does) followed by a 1×1 pooling with the
//   stride, which keeps every s-th window: the same windows as PyTorch's, at some extra work. The
//   average with the padding left out of its divisor (count_pad=false) is saved the same way.
//
// The last layer of a replacement keeps the original name, so the layers reading it are unchanged.

interface LayerJson {
  class_name: string;
  name?: string;
  config: Record<string, unknown>;
  inbound_nodes?: unknown[];
}

/** A plain layer: its class and config. The last keeps the replaced layer's name; others add `suffix`. */
interface Plain {
  readonly className: string;
  readonly config: Record<string, unknown>;
  readonly suffix?: string;
}

const zeros = { class_name: 'Zeros', config: {} };

/** The plain layers an ArchcConv config equals, in order, or undefined when tfjs-layers has none. */
export function plainConv(c: Record<string, unknown>): Plain[] | undefined {
  const kernel = c['kernel'] as number[];
  const stride = c['stride'] as number[];
  const begin = c['begin'] as number[];
  const end = c['end'] as number[];
  if (kernel.length !== 2 || c['groups'] !== 1 || (c['dilation'] as number[]).some((d) => d !== 1)) return undefined;
  const none = [...begin, ...end].every((p) => p === 0);
  const same = stride.every((s) => s === 1) && kernel.every((k, i) => k % 2 === 1 && begin[i] === (k - 1) / 2 && end[i] === (k - 1) / 2);
  const conv: Plain = {
    className: 'Conv2D',
    config: {
      trainable: c['trainable'],
      filters: c['filters'],
      kernel_size: kernel,
      strides: stride,
      padding: same ? 'same' : 'valid',
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
    },
  };
  if (none || same) return [conv];
  const padding = [[begin[0]!, end[0]!], [begin[1]!, end[1]!]];
  return [{ className: 'ZeroPadding2D', config: { trainable: c['trainable'], padding, data_format: 'channels_last' }, suffix: 'pad' }, conv];
}

/** The plain layers an ArchcPool config equals, in order, or undefined when tfjs-layers has none. */
export function plainPool(c: Record<string, unknown>): Plain[] | undefined {
  const kernel = c['kernel'] as number[];
  const stride = c['stride'] as number[];
  const begin = c['begin'] as number[];
  const end = c['end'] as number[];
  const leftOut = c['kind'] === 'max' || c['count_pad'] === false;
  const centred = kernel.every((k, i) => k % 2 === 1 && begin[i] === (k - 1) / 2 && end[i] === (k - 1) / 2);
  if (kernel.length !== 2 || c['ceil'] !== false || !leftOut || !centred) return undefined;
  const className = c['kind'] === 'max' ? 'MaxPooling2D' : 'AveragePooling2D';
  const pool = (poolSize: number[], strides: number[], padding: string, suffix?: string): Plain => ({
    className,
    config: { trainable: c['trainable'], pool_size: poolSize, strides, padding, data_format: 'channels_last' },
    suffix,
  });
  const windows = pool(kernel, [1, 1], 'same', 'windows');
  return stride.every((s) => s === 1) ? [windows] : [windows, pool([1, 1], stride, 'valid')];
}

const replacements: Record<string, (config: Record<string, unknown>) => Plain[] | undefined> = { ArchcConv: plainConv, ArchcPool: plainPool };

/**
 * The topology with every archc layer that equals tfjs-layers' layers written as them (a copy; the
 * input is kept). The first replacement layer takes over the inputs; each feeds the next.
 */
export function portableTopology<T extends object>(topology: T): T {
  const copy = structuredClone(topology) as { config?: { layers?: LayerJson[] } };
  const layers = copy.config?.layers;
  if (!layers) return copy as T;
  const taken = new Set(layers.map((l) => l.name ?? String(l.config['name'])));
  const out: LayerJson[] = [];
  for (const layer of layers) {
    const plain = replacements[layer.class_name]?.(layer.config);
    if (!plain) {
      out.push(layer);
      continue;
    }
    const name = String(layer.config['name']);
    let inbound = layer.inbound_nodes;
    plain.forEach((p, k) => {
      const own = k === plain.length - 1 ? name : unique(`${name}_${p.suffix}`, taken);
      out.push({ ...layer, class_name: p.className, ...(layer.name !== undefined && { name: own }), config: { name: own, ...p.config }, inbound_nodes: inbound });
      inbound = [[[own, 0, 0, {}]]];
    });
  }
  layers.splice(0, layers.length, ...out);
  return copy as T;
}

function unique(base: string, taken: Set<string>): string {
  let name = base;
  for (let k = 2; taken.has(name); k++) name = `${base}_${k}`;
  taken.add(name);
  return name;
}
