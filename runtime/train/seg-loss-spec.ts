// What a segmentation loss is, without TensorFlow.js: the commands that only read a saved model's
// settings (predict and eval with --engine onnxruntime) import this, not seg-losses.ts.
export type SegLossKind = 'ce' | 'dice' | 'dice-ce';

export const segLossKinds: readonly SegLossKind[] = ['ce', 'dice', 'dice-ce'];

export interface SegLossSpec {
  readonly kind: SegLossKind;
  readonly task: 'segmentation';
  /** One weight per class for the cross-entropy term. */
  readonly classWeights?: readonly number[];
  /** The mask value of unlabelled pixels in the data (held as IGNORE in memory). */
  readonly ignoreIndex: number;
  /** Each extra score output (an auxiliary head) adds this times its loss (torchvision's references: 0.5). */
  readonly auxWeight: number;
}

export const isSegLoss = (spec: { kind: string; task?: string }): spec is SegLossSpec => spec.task === 'segmentation';
