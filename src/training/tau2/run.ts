/**
 * Scripted tau2 drills (`crossdesk drill run --tau2 ID --script FILE`): a trainee's turns (text
 * and tool calls) played through the tau2 drill engine and scored. The script format is the
 * drills' (run.ts: `{"turns":[{"text","tools":[{"name","arguments"}]}…],"seed"?}`).
 */
import type { DrillScript } from '../run.ts';
import { Tau2DrillEngine, type Tau2DrillResult } from './drill.ts';
import type { Tau2Db, Tau2Task } from './types.ts';

export interface Tau2RunOptions {
  seed?: number;
  hints?: boolean;
  startedAt?: Date;
  /** Seconds between turns in the simulated clock (default 0). */
  secondsPerTurn?: number;
}

/** Plays a script until it ends (or the customer ends the conversation) and scores it. */
export function runTau2Script(task: Tau2Task, db: Readonly<Tau2Db>, script: DrillScript, opts: Tau2RunOptions = {}): Tau2DrillResult {
  const start = opts.startedAt ?? new Date('2026-01-01T00:00:00Z');
  const engine = new Tau2DrillEngine({ task, db, seed: opts.seed ?? script.seed ?? 1, hints: opts.hints ?? true, startedAt: start });
  engine.hintsShown.push(...engine.startHints());
  let at = start.getTime();
  for (const t of script.turns) {
    if (engine.ended) break;
    at += (opts.secondsPerTurn ?? 0) * 1000;
    engine.turn(t, new Date(at));
  }
  engine.end(new Date(at));
  return engine.score();
}
