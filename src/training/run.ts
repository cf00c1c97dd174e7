/**
 * Scripted drills: a trainee's turns (text and tool calls) from a JSON script, played through
 * the engine, scored. Used by `crossdesk drill run`, tests and the bench.
 */
import { AppError } from '../core/errors.ts';
import { DrillEngine, type TurnInput } from './drill.ts';
import { scoreDrill, type DrillResult } from './report.ts';
import type { ToolCall } from './sandbox.ts';
import type { Scenario } from './scenario.ts';

export interface DrillScript {
  turns: TurnInput[];
  seed?: number;
  variant?: string;
}

/** Validates a parsed script file; errors name the field. */
export function parseScript(raw: unknown, source = 'script'): DrillScript {
  const fail = (field: string, msg: string) => new AppError('validation_failed', `${source}: ${field}: ${msg}`, { field });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw fail('(root)', 'must be an object {"turns":[…]}');
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['turns', 'seed', 'variant'].includes(k)) throw fail(k, 'unknown field (allowed: turns, seed, variant)');
  if (!Array.isArray(o.turns) || !o.turns.length) throw fail('turns', 'must be a non-empty list');
  if (o.seed !== undefined && (typeof o.seed !== 'number' || !Number.isInteger(o.seed))) throw fail('seed', 'must be a whole number');
  if (o.variant !== undefined && typeof o.variant !== 'string') throw fail('variant', 'must be text');
  const turns = o.turns.map((t, i): TurnInput => {
    if (typeof t !== 'object' || t === null || Array.isArray(t)) throw fail(`turns[${i}]`, 'must be an object {"text"?, "tools"?}');
    const to = t as Record<string, unknown>;
    for (const k of Object.keys(to)) if (!['text', 'tools'].includes(k)) throw fail(`turns[${i}].${k}`, 'unknown field (allowed: text, tools)');
    if (to.text !== undefined && typeof to.text !== 'string') throw fail(`turns[${i}].text`, 'must be text');
    const tools: ToolCall[] = [];
    if (to.tools !== undefined) {
      if (!Array.isArray(to.tools)) throw fail(`turns[${i}].tools`, 'must be a list');
      to.tools.forEach((c, j) => {
        const co = c as Record<string, unknown>;
        if (typeof co !== 'object' || co === null || typeof co.name !== 'string') throw fail(`turns[${i}].tools[${j}]`, 'must be {"name","arguments"?}');
        if (co.arguments !== undefined && (typeof co.arguments !== 'object' || co.arguments === null || Array.isArray(co.arguments))) throw fail(`turns[${i}].tools[${j}].arguments`, 'must be an object');
        tools.push({ name: co.name, arguments: co.arguments as Record<string, unknown> | undefined });
      });
    }
    if (!to.text && !tools.length) throw fail(`turns[${i}]`, 'needs text or tools');
    return { text: to.text as string | undefined, tools };
  });
  return { turns, seed: o.seed as number | undefined, variant: o.variant as string | undefined };
}

export interface RunOptions {
  seed?: number;
  variant?: string;
  hints?: boolean;
  startedAt?: Date;
  /** Seconds between turns in the simulated clock (default 0). */
  secondsPerTurn?: number;
}

/** Plays a script to the end (or until the customer leaves) and scores it. */
export function runScript(scenario: Scenario, script: DrillScript, opts: RunOptions = {}): DrillResult {
  const start = opts.startedAt ?? new Date('2026-01-01T00:00:00Z');
  const engine = new DrillEngine({ scenario, variant: opts.variant ?? script.variant, seed: opts.seed ?? script.seed ?? 1, hints: opts.hints ?? true, startedAt: start });
  engine.hintsShown.push(...engine.startHints());
  let at = start.getTime();
  for (const t of script.turns) {
    if (engine.ended) break;
    at += (opts.secondsPerTurn ?? 0) * 1000;
    engine.turn(t, new Date(at));
  }
  engine.end(new Date(at));
  return scoreDrill(engine);
}
