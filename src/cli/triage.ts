/**
 * `crossdesk triage`: JSON lines `{"id","text","subject"?}` on stdin ->
 * `{"id","language","category","sentiment","angry","urgency","priority","confidence"}` per line.
 *
 * Bad lines (not JSON, not an object, no string `text`) are reported on stderr with their line
 * number and skipped; good lines are always written. Exit status: 0 when at least one line was
 * triaged or the input was empty; 1 when every non-blank line was bad (the input is not what
 * the command expects). `previousLanguages`, `market`, `orderValue`, `vip`, `waitedMinutes`
 * are read when present. A record without a string or number `id` gets its line number as id.
 */
import { readJsonLines } from './io.ts';
import { triageMessage, type TriageInput } from '../helpdesk/triage.ts';

function write(stream: NodeJS.WritableStream, s: string): Promise<void> {
  return new Promise((resolve) => {
    if (stream.write(s)) resolve();
    else stream.once('drain', () => resolve());
  });
}

export async function runTriage(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  errors: NodeJS.WritableStream,
): Promise<{ ok: number; bad: number }> {
  let ok = 0;
  let bad = 0;
  const report = (lineNo: number, reason: string, raw: string) => {
    bad++;
    errors.write(`line ${lineNo}: ${reason}: ${raw.slice(0, 120)}\n`);
  };
  await readJsonLines(
    input,
    async (rec, lineNo) => {
      if (typeof rec.text !== 'string') {
        report(lineNo, 'expected a string "text"', JSON.stringify(rec));
        return;
      }
      const id = typeof rec.id === 'string' || typeof rec.id === 'number' ? rec.id : lineNo;
      const req: TriageInput = { text: rec.text };
      if (typeof rec.subject === 'string') req.subject = rec.subject;
      if (Array.isArray(rec.previousLanguages)) req.previousLanguages = rec.previousLanguages.filter((x): x is string => typeof x === 'string');
      if (typeof rec.market === 'string') req.market = rec.market;
      if (typeof rec.orderValue === 'number') req.orderValue = rec.orderValue;
      if (typeof rec.vip === 'boolean') req.vip = rec.vip;
      if (typeof rec.waitedMinutes === 'number') req.waitedMinutes = rec.waitedMinutes;
      const r = triageMessage(req);
      ok++;
      await write(
        output,
        JSON.stringify({
          id,
          language: r.language,
          category: r.category,
          sentiment: r.sentiment,
          angry: r.angry,
          urgency: r.urgency,
          priority: r.priority,
          confidence: r.confidence,
        }) + '\n',
      );
    },
    report,
  );
  return { ok, bad };
}
