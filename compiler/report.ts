// The report types: what `archc summary --json` prints and what the API returns. Counting follows
// ARCHITECTURE.md: learnable parameters and buffers apart; MACs of conv, dense and matmul only.

export interface SourceRef {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export interface LayerReport {
  readonly name: string;
  readonly op: string;
  readonly inputs: readonly string[];
  /** Per-sample shape with the batch as "N" first. */
  readonly outputShape: readonly (number | 'N')[];
  /** Learnable parameters (torchvision's count). */
  readonly params: number;
  /** Non-learnable state: batch-norm running statistics. */
  readonly buffers: number;
  readonly frozen: boolean;
  readonly macs: number;
  /** Receptive field (in input pixels along the height axis) and jump (product of strides). */
  readonly receptiveField: number;
  readonly jump: number;
  readonly source: SourceRef;
}

export interface ModelReport {
  readonly model: string;
  readonly file: string;
  readonly inputs: readonly { name: string; shape: readonly (number | 'N')[] }[];
  readonly outputs: readonly { name: string; shape: readonly (number | 'N')[] }[];
  readonly params: {
    /** Learnable parameters: torchvision's num_params. */
    readonly learnable: number;
    /** Buffers (batch-norm running mean and variance). Keras "Total params" = learnable + buffers. */
    readonly buffers: number;
    /** Learnable and not frozen. */
    readonly trainable: number;
    /** Learnable but inside `frozen { }`. Keras "Non-trainable params" = frozen + buffers. */
    readonly frozen: number;
  };
  /** Multiply-accumulates of conv, dense and matmul for one sample. */
  readonly macs: number;
  /** 2 × macs. */
  readonly flops: number;
  readonly memory: {
    /** Bytes of float32 weights and buffers. */
    readonly weights: number;
    /** Bytes of float32 activations for one sample, every node's output counted once. */
    readonly activations: number;
  };
  readonly layers: readonly LayerReport[];
}
