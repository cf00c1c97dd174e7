import readline from 'node:readline';

/** A user-facing failure: printed as one line, exit code given, no stack trace. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * Reads JSON lines from a stream, calling `onRecord` for each parsed object, and
 * `onBad` for lines that are not a JSON object (blank lines are skipped). Lines are
 * processed in order; the promise resolves when the stream ends.
 */
export async function readJsonLines(
  input: NodeJS.ReadableStream,
  onRecord: (record: Record<string, unknown>, lineNo: number) => void | Promise<void>,
  onBad: (lineNo: number, reason: string, raw: string) => void,
): Promise<void> {
  const rl = readline.createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  for await (const line of rl) {
    n++;
    const trimmed = line.trim();
    if (!trimmed) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      onBad(n, 'not valid JSON', trimmed.slice(0, 200));
      continue;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      onBad(n, 'expected a JSON object', trimmed.slice(0, 200));
      continue;
    }
    await onRecord(parsed as Record<string, unknown>, n);
  }
}
