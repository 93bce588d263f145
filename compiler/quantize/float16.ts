// Half-precision weights: every float32 initializer is stored as float16 and widened back by a Cast
// node, so the file is about half the size while the computation stays float32. A graph that is
// float16 throughout would also halve activation memory, but onnxruntime's CPU provider lacks
// float16 kernels for many ops (it would insert casts itself, or fail), so archc keeps the
// arithmetic in float32 and the error to the rounding of the weights (relative 2^-11).
import type { ModelProto, NodeProto, TensorProto } from '../lower-onnx/proto.js';
import { fresh } from './prepare.js';
import { dimsOfTensor, float16Tensor, floatValues } from './tensors.js';

const TO_FLOAT = 1; // TensorProto.DataType.FLOAT, Cast's `to`

export function float16Weights(model: ModelProto): ModelProto {
  const g = model.graph!;
  const taken = new Set([...(g.initializer ?? []).map((t) => t.name!), ...(g.node ?? []).flatMap((n) => n.output ?? [])]);
  const casts: NodeProto[] = [];
  const initializer: TensorProto[] = (g.initializer ?? []).map((t) => {
    const values = floatValues(t);
    if (!values) return t;
    const half = fresh(`${t.name}_float16`, taken);
    casts.push({ name: fresh(`${t.name}/Cast`, taken), opType: 'Cast', input: [half], output: [t.name!], attribute: [{ name: 'to', type: 2 /* INT */, i: TO_FLOAT }] });
    return float16Tensor(half, dimsOfTensor(t), values);
  });
  return { ...model, graph: { ...g, node: [...casts, ...(g.node ?? [])], initializer } };
}
