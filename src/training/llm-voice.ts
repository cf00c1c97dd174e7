/**
 * When an LLM is configured (LLM_BASE_URL), it rephrases the simulated customer's scripted
 * line in persona — same meaning, same language, the persona's style — so drills do not feel
 * canned. The scripted engine has already decided the state and the score; the LLM only
 * chooses the words. Any failure keeps the scripted line (store.ts catches it).
 */
import { createLlmClient, type LlmClient, type LlmSettings } from '../llm/client.ts';
import type { TranscriptEntry } from './drill.ts';
import type { Scenario } from './scenario.ts';

export type Voice = (scenario: Scenario, line: { text: string; gloss_zh: string }, transcript: TranscriptEntry[]) => Promise<string>;

export function voiceFrom(client: LlmClient): Voice {
  return async (scenario, line, transcript) => {
    const p = scenario.persona;
    const recent = transcript.slice(-6).map((t) => `${t.role === 'agent' ? 'Agent' : 'Customer'}: ${t.text}`).join('\n');
    const out = await client.chat({
      temperature: 0.7,
      maxTokens: 300,
      messages: [
        {
          role: 'system',
          content:
            `You play a customer in a customer-service training drill. Persona: ${p.name}; ${p.culture}; writes: ${p.writes}. ` +
            `Mood ${p.mood.toFixed(2)} (0 calm, 1 furious). Language: ${scenario.language}. ` +
            'Rephrase the customer line you are given in this persona and language. Keep its meaning exactly: do not add facts, offers, numbers or promises, do not accept or refuse anything it does not. ' +
            'Answer with the rephrased line only.',
        },
        { role: 'user', content: `Conversation so far:\n${recent}\n\nLine to rephrase:\n${line.text}` },
      ],
    });
    const text = out.trim().replace(/^["“«]|["”»]$/g, '');
    // A reply far longer than the line, or empty, is not a rephrasing: keep the script.
    return text && text.length <= line.text.length * 3 + 80 ? text : line.text;
  };
}

export function voiceFromSettings(settings: LlmSettings | undefined): Voice | undefined {
  const client = createLlmClient(settings, { timeoutMs: 8000, maxRetries: 0 });
  return client ? voiceFrom(client) : undefined;
}

/** From LLM_BASE_URL / LLM_API_KEY / LLM_MODEL; undefined (scripted lines) when unset. */
export function voiceFromEnv(env: NodeJS.ProcessEnv = process.env): Voice | undefined {
  return env.LLM_BASE_URL ? voiceFromSettings({ baseUrl: env.LLM_BASE_URL, apiKey: env.LLM_API_KEY || undefined, model: env.LLM_MODEL || undefined }) : undefined;
}
