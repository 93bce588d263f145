// Learning-rate schedules and early stopping, epoch by epoch.
import { describe, expect, it } from 'vitest';
import { EarlyStopping, Schedule } from '../../runtime/train/schedules.js';

const lrs = (s: Schedule, epochs: number) => Array.from({ length: epochs }, (_, e) => Number(s.lrFor(e).toPrecision(6)));

describe('Schedule', () => {
  it('keeps a constant rate', () => {
    expect(lrs(new Schedule({ kind: 'constant' }, 0.1), 3)).toEqual([0.1, 0.1, 0.1]);
  });

  it('steps by gamma every n epochs', () => {
    expect(lrs(new Schedule({ kind: 'step', every: 2, gamma: 0.1 }, 1), 5)).toEqual([1, 1, 0.1, 0.1, 0.01]);
  });

  it('anneals along a half cosine to the floor and stays there', () => {
    const s = new Schedule({ kind: 'cosine', epochs: 4, minLr: 0 }, 1);
    expect(lrs(s, 6)).toEqual([1, 0.853553, 0.5, 0.146447, 0, 0]);
    expect(new Schedule({ kind: 'cosine', epochs: 2, minLr: 0.1 }, 1).lrFor(1)).toBeCloseTo(0.55);
  });

  it('reduces on a plateau after `patience` epochs without improvement, down to the floor', () => {
    const s = new Schedule({ kind: 'plateau', factor: 0.5, patience: 2, minLr: 0.2 }, 1);
    const seen: number[] = [];
    for (const loss of [1, 0.9, 0.9, 0.95, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8]) {
      seen.push(s.lrFor(seen.length));
      s.observe(loss);
    }
    expect(seen).toEqual([1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.2]);
  });

  it('reads a state that went through JSON (Infinity → null) as "no best yet"', () => {
    const fresh = new Schedule({ kind: 'plateau', factor: 0.5, patience: 1, minLr: 0 }, 1);
    const revived = new Schedule(fresh.spec, 1, JSON.parse(JSON.stringify(fresh.state())));
    revived.observe(5);
    revived.observe(4);
    expect(revived.lrFor(2)).toBe(1);
    const early = new EarlyStopping(1, JSON.parse(JSON.stringify(new EarlyStopping(1).state())));
    expect(early.observe(3, 1)).toBe('improved');
  });

  it('resumes a plateau from its saved state', () => {
    const s = new Schedule({ kind: 'plateau', factor: 0.1, patience: 1, minLr: 0 }, 1);
    s.observe(1);
    s.observe(2);
    const resumed = new Schedule(s.spec, 1, s.state());
    expect(resumed.lrFor(2)).toBeCloseTo(0.1);
    resumed.observe(3);
    expect(resumed.lrFor(3)).toBeCloseTo(0.01);
  });
});

describe('EarlyStopping', () => {
  it('stops after `patience` epochs without a new best and remembers the best epoch', () => {
    const e = new EarlyStopping(2);
    expect([0.5, 0.4, 0.45, 0.41].map((l, i) => e.observe(l, i + 1))).toEqual(['improved', 'improved', 'waiting', 'stop']);
    expect(e.bestEpoch).toBe(2);
    expect(e.best).toBe(0.4);
  });

  it('carries its count across a resume', () => {
    const e = new EarlyStopping(2);
    e.observe(1, 1);
    e.observe(2, 2);
    expect(new EarlyStopping(2, e.state()).observe(3, 3)).toBe('stop');
  });
});
