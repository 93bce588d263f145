// Optimizers with a learning rate set per step (schedules) and weight decay: SGD with momentum and
// Nesterov, Adam (decoupled weight decay, i.e. AdamW) and RMSprop, in PyTorch's formulation. Their
// slots are named tensors so that a checkpoint can carry them.
import * as tf from '@tensorflow/tfjs-core';

export type OptimizerKind = 'sgd' | 'adam' | 'rmsprop';

export const optimizerKinds: readonly OptimizerKind[] = ['sgd', 'adam', 'rmsprop'];

export interface OptimizerSpec {
  readonly kind: OptimizerKind;
  /** SGD and RMSprop momentum μ (0 = none). */
  readonly momentum: number;
  /** SGD: Nesterov's look-ahead form of momentum. */
  readonly nesterov: boolean;
  /** Adam β₁, β₂; RMSprop uses `rho` for its average of g². */
  readonly beta1: number;
  readonly beta2: number;
  readonly rho: number;
  readonly epsilon: number;
  /** L2 decay of kernels (rank ≥ 2); biases and batch-norm scales are not decayed. */
  readonly weightDecay: number;
}

export const optimizerDefaults: Omit<OptimizerSpec, 'kind'> = {
  momentum: 0,
  nesterov: false,
  beta1: 0.9,
  beta2: 0.999,
  rho: 0.9,
  epsilon: 1e-8,
  weightDecay: 0,
};

export interface Trainable {
  /** A stable name for checkpoints (the layer weight's name). */
  readonly name: string;
  readonly variable: tf.Variable;
}

export class Optimizer {
  /** Steps taken (Adam's bias correction counts them). */
  step = 0;
  private readonly slots = new Map<string, tf.Variable>();

  constructor(
    readonly spec: OptimizerSpec,
    private readonly params: readonly Trainable[],
  ) {}

  /** w ← update(w, g) for every parameter; `grads[i]` belongs to `params[i]`. */
  apply(grads: readonly tf.Tensor[], lr: number): void {
    this.step++;
    tf.tidy(() => {
      this.params.forEach((p, i) => this.update(p, grads[i]!, lr));
    });
  }

  private update(p: Trainable, grad: tf.Tensor, lr: number): void {
    const s = this.spec;
    const w = p.variable;
    const decays = s.weightDecay > 0 && w.rank >= 2;
    if (s.kind === 'adam') {
      const m = this.advance(p, 'm', (old) => tf.add(tf.mul(old, s.beta1), tf.mul(grad, 1 - s.beta1)));
      const v = this.advance(p, 'v', (old) => tf.add(tf.mul(old, s.beta2), tf.mul(tf.square(grad), 1 - s.beta2)));
      const mHat = tf.div(m, 1 - s.beta1 ** this.step);
      const vHat = tf.div(v, 1 - s.beta2 ** this.step);
      let next = tf.sub(w, tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), s.epsilon)), lr));
      if (decays) next = tf.sub(next, tf.mul(w, lr * s.weightDecay));
      w.assign(next);
      return;
    }
    const g = decays ? tf.add(grad, tf.mul(w, s.weightDecay)) : grad;
    let direction: tf.Tensor = g;
    if (s.kind === 'rmsprop') {
      const sq = this.advance(p, 'square_avg', (old) => tf.add(tf.mul(old, s.rho), tf.mul(tf.square(g), 1 - s.rho)));
      direction = tf.div(g, tf.add(tf.sqrt(sq), s.epsilon));
    }
    if (s.momentum > 0) {
      // PyTorch: a new buffer starts at the first direction rather than at zero.
      const d = direction;
      const buf = this.advance(p, 'momentum', (old, fresh) => (fresh ? d : tf.add(tf.mul(old, s.momentum), d)));
      direction = s.kind === 'sgd' && s.nesterov ? tf.add(d, tf.mul(buf, s.momentum)) : buf;
    }
    w.assign(tf.sub(w, tf.mul(direction, lr)));
  }

  /** Replaces slot `name` of `p` with `next(old, fresh)` and returns the new value. */
  private advance(p: Trainable, name: string, next: (old: tf.Tensor, fresh: boolean) => tf.Tensor): tf.Tensor {
    const key = `${p.name}/${name}`;
    let slot = this.slots.get(key);
    const fresh = slot === undefined;
    if (!slot) {
      slot = tf.keep(tf.variable(tf.zerosLike(p.variable), false));
      this.slots.set(key, slot);
    }
    const value = next(slot, fresh);
    slot.assign(value);
    return value;
  }

  /** The slots by `<weight name>/<slot>`, plus `step`, for a checkpoint. */
  state(): { step: number; slots: Map<string, tf.Tensor> } {
    return { step: this.step, slots: new Map(this.slots) };
  }

  /** Restores slots saved by `state()`; entries for other weights or shapes are ignored. */
  restore(step: number, slots: ReadonlyMap<string, { shape: readonly number[]; data: Float32Array }>): number {
    let used = 0;
    for (const p of this.params) {
      for (const [key, saved] of slots) {
        if (!key.startsWith(`${p.name}/`) || !sameShape(saved.shape, p.variable.shape)) continue;
        this.slots.get(key)?.dispose();
        this.slots.set(key, tf.variable(tf.tensor(saved.data, p.variable.shape), false));
        used++;
      }
    }
    this.step = step;
    return used;
  }

  dispose(): void {
    for (const v of this.slots.values()) v.dispose();
    this.slots.clear();
  }
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);
