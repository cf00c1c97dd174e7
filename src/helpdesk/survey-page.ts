/**
 * The public survey page: one small self-contained HTML document in the customer's
 * language (right to left for Arabic), no scripts and no external assets, so it works
 * under the app's Content-Security-Policy and in any browser. A plain form posts back.
 */
import type { SurveyKind } from '../db/types.ts';
import { fillText, textsFor, MAX_COMMENT, type SurveyTexts } from './surveys.ts';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK JP","Noto Sans Arabic",sans-serif;background:#f4f5f7;color:#1d2330}
main{max-width:40rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:12px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.35rem;margin:0 0 .25rem}
.store{color:#5b6473;margin:0 0 1.25rem;font-size:.95rem}
fieldset{border:0;margin:0 0 1.25rem;padding:0}
legend{font-weight:600;margin-bottom:.5rem;padding:0}
.scale{display:flex;flex-wrap:wrap;gap:.35rem}
.scale label{position:relative}
.scale input{position:absolute;opacity:0;inset:0}
.scale span{display:inline-block;min-width:2.6rem;padding:.55rem .4rem;text-align:center;border:1px solid #aab1bd;border-radius:8px;cursor:pointer;font-weight:600}
.scale input:checked+span{background:#2350d8;border-color:#2350d8;color:#fff}
.scale input:focus-visible+span{outline:3px solid #f0b400;outline-offset:2px}
.ends{display:flex;justify-content:space-between;font-size:.85rem;color:#5b6473;margin-top:.3rem;gap:1rem}
textarea{width:100%;min-height:6rem;padding:.6rem;border:1px solid #aab1bd;border-radius:8px;font:inherit}
button{margin-top:1rem;padding:.65rem 1.4rem;border:0;border-radius:8px;background:#2350d8;color:#fff;font:inherit;font-weight:600;cursor:pointer}
.error{background:#fdecec;color:#8a1c1c;padding:.6rem .8rem;border-radius:8px;margin-bottom:1rem}
.answer{background:#f4f5f7;padding:.75rem;border-radius:8px;white-space:pre-wrap;overflow-wrap:anywhere}
`;

function page(language: string, title: string, body: string): string {
  const dir = language === 'ar' ? 'rtl' : 'ltr';
  return `<!doctype html>
<html lang="${escapeHtml(language)}" dir="${dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

function scale(name: string, from: number, to: number, selected: number | undefined, low: string, high: string, legend: string): string {
  const options: string[] = [];
  for (let n = from; n <= to; n++) {
    options.push(`<label><input type="radio" name="${name}" value="${n}"${selected === n ? ' checked' : ''}${name === 'score' ? ' required' : ''}><span>${n}</span></label>`);
  }
  return `<fieldset><legend>${escapeHtml(legend)}</legend><div class="scale">${options.join('')}</div><div class="ends"><span>${from} = ${escapeHtml(low)}</span><span>${to} = ${escapeHtml(high)}</span></div></fieldset>`;
}

export interface FormView {
  token: string;
  language: string;
  kind: SurveyKind;
  store: string;
  score?: number;
  nps?: number;
  comment?: string;
  error?: 'score' | 'comment';
}

/** The questions. */
export function formPage(v: FormView): string {
  const { t, language } = textsFor(v.language);
  const vars = { store: v.store };
  const err = v.error ? `<p class="error" role="alert">${escapeHtml(v.error === 'score' ? t.error_score : t.error_comment)}</p>` : '';
  const body = `<h1>${escapeHtml(t.page_title)}</h1>
<p class="store">${escapeHtml(v.store)}</p>
${err}<form method="post" action="/survey/${encodeURIComponent(v.token)}" accept-charset="utf-8">
${scale('score', 1, 5, v.score, t.csat_low, t.csat_high, t.csat_question)}
${v.kind === 'csat_nps' ? scale('nps', 0, 10, v.nps, t.nps_low, t.nps_high, fillText(t.nps_question, vars)) : ''}
<label for="comment"><strong>${escapeHtml(t.comment_label)}</strong></label>
<textarea id="comment" name="comment" maxlength="${MAX_COMMENT}">${escapeHtml(v.comment ?? '')}</textarea>
<button type="submit">${escapeHtml(t.submit)}</button>
</form>`;
  return page(language, t.page_title, body);
}

/** After answering, or opening an answered survey: the answer, escaped. */
export function answeredPage(v: { language: string; store: string; csatScore: number | null; npsScore: number | null; comment: string | null; already: boolean }): string {
  const { t, language } = textsFor(v.language);
  const answer = [
    v.csatScore !== null ? `★ ${v.csatScore}/5` : '',
    v.npsScore !== null ? `NPS ${v.npsScore}/10` : '',
  ].filter(Boolean).join(' · ');
  const body = `<h1>${escapeHtml(v.already ? t.already : t.thanks)}</h1>
<p class="store">${escapeHtml(v.store)}</p>
<p>${escapeHtml(t.thanks_detail)}</p>
${answer ? `<p><strong>${escapeHtml(answer)}</strong></p>` : ''}
${v.comment ? `<div class="answer">${escapeHtml(v.comment)}</div>` : ''}`;
  return page(language, v.already ? t.already : t.thanks, body);
}

/** Unknown or expired survey. */
export function closedPage(language: string | null, why: 'not_found' | 'expired'): string {
  const { t, language: lang } = textsFor(language);
  const text: string = why === 'expired' ? t.expired : t.not_found;
  return page(lang, text, `<h1>${escapeHtml(text)}</h1>`);
}

export type { SurveyTexts };
