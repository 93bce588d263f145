import type { Unit } from './emit-body.js';
import type { LiftedGraph } from './graph.js';
export function planBlocks(_graph: LiftedGraph): { units: Unit[]; blocks: string[] } | undefined {
  return undefined;
}
