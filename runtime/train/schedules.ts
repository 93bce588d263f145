// Epoch-level controllers: learning-rate schedules (constant, step, cosine, reduce-on-plateau) and
// early stopping. Their state is plain JSON so that a resumed run continues where it stopped.

export type ScheduleSpec =
  | { readonly kind: 'constant' }
  /** lr·gamma^⌊epoch / every⌋ (Keras LearningRateScheduler, torch StepLR). */
  | { readonly kind: 'step'; readonly every: number; readonly gamma: number }
  /** minLr + ½(lr - minLr)(1 + cos(π·epoch / epochs)) (torch CosineAnnealingLR, stepped per epoch). */
  | { readonly kind: 'cosine'; readonly epochs: number; readonly minLr: number }
  /** lr·factor after `patience` epochs without improvement of the monitored loss, floored at minLr. */
  | { readonly kind: 'plateau'; readonly factor: number; readonly patience: number; readonly minLr: number };

export const scheduleKinds = ['constant', 'step', 'cosine', 'plateau'] as const;

/** What reduce-on-plateau remembers between epochs. */
export interface PlateauState {
  lr: number;
  best: number;
  wait: number;
}

export class Schedule {
  private plateau: PlateauState;

  constructor(
    readonly spec: ScheduleSpec,
    readonly baseLr: number,
    state?: PlateauState,
  ) {
    this.plateau = state ? { ...state, best: finiteOr(state.best, Infinity) } : { lr: baseLr, best: Infinity, wait: 0 };
  }

  /** The learning rate for 0-based `epoch`. */
  lrFor(epoch: number): number {
    const s = this.spec;
    switch (s.kind) {
      case 'constant':
        return this.baseLr;
      case 'step':
        return this.baseLr * s.gamma ** Math.floor(epoch / s.every);
      case 'cosine': {
        const t = Math.min(epoch, s.epochs) / Math.max(1, s.epochs);
        return s.minLr + 0.5 * (this.baseLr - s.minLr) * (1 + Math.cos(Math.PI * t));
      }
      case 'plateau':
        return this.plateau.lr;
    }
  }

  /** Reports the epoch's monitored loss (only reduce-on-plateau listens). */
  observe(loss: number): void {
    if (this.spec.kind !== 'plateau') return;
    // Keras's ReduceLROnPlateau: an improvement must beat the best by min_delta = 1e-4.
    if (loss < this.plateau.best - 1e-4) {
      this.plateau.best = loss;
      this.plateau.wait = 0;
      return;
    }
    if (++this.plateau.wait >= this.spec.patience) {
      this.plateau.lr = Math.max(this.spec.minLr, this.plateau.lr * this.spec.factor);
      this.plateau.wait = 0;
    }
  }

  state(): PlateauState {
    return { ...this.plateau };
  }
}

export interface EarlyStopState {
  best: number;
  bestEpoch: number;
  wait: number;
}

/** Keras's EarlyStopping(patience, restore_best_weights=True) on a loss (lower is better). */
export class EarlyStopping {
  private s: EarlyStopState;

  constructor(
    readonly patience: number,
    state?: EarlyStopState,
  ) {
    this.s = state ? { ...state, best: finiteOr(state.best, Infinity) } : { best: Infinity, bestEpoch: -1, wait: 0 };
  }

  /** 'improved' when this epoch is the best so far (keep its weights), 'stop' when patience ran out. */
  observe(loss: number, epoch: number): 'improved' | 'waiting' | 'stop' {
    if (loss < this.s.best) {
      this.s = { best: loss, bestEpoch: epoch, wait: 0 };
      return 'improved';
    }
    this.s.wait++;
    return this.s.wait >= this.patience ? 'stop' : 'waiting';
  }

  get bestEpoch(): number {
    return this.s.bestEpoch;
  }

  get best(): number {
    return this.s.best;
  }

  state(): EarlyStopState {
    return { ...this.s };
  }
}

/** JSON writes Infinity as null: a saved "no best yet" comes back as null. */
const finiteOr = (value: number | null, fallback: number): number => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);
