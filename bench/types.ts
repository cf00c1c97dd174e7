/**
 * One benchmark figure, printed beside a baseline measured in the same run so that
 * ratios hold on a noisy machine.
 */
export interface BenchRow {
  group: string;
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number; unit: string };
  /** The goal, in words (e.g. ">= 5000 msg/s"), and whether this run met it. */
  target?: string;
  ok?: boolean;
}

export interface BenchContext {
  report(row: BenchRow): void;
  /** A shorter run (CI smoke) when true. */
  quick: boolean;
}

/** Each bench/<area>.ts default-exports one of these. */
export type BenchSuite = (ctx: BenchContext) => Promise<void>;
