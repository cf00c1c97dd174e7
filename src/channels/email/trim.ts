/**
 * The text an agent needs from a customer's e-mail: the new words, without the quoted
 * history below them and without the signature. The raw message is kept elsewhere.
 */

/** A line that introduces quoted history, in the languages customers write in. */
const REPLY_HEADER: RegExp[] = [
  /^\s*On\b.{0,200}\bwrote:\s*$/i,
  /^\s*Le\b.{0,200}\ba écrit\s*:\s*$/i,
  /^\s*Am\b.{0,200}\bschrieb\b.{0,200}:\s*$/i,
  /^\s*El\b.{0,200}\bescribió:\s*$/i,
  /^\s*Il giorno\b.{0,200}\bha scritto:\s*$/i,
  /^\s*Em\b.{0,200}\bescreveu:\s*$/i,
  /^\s*Op\b.{0,200}\bschreef\b.{0,200}:\s*$/i,
  /^\s*W dniu\b.{0,200}\bnapisał(?:\(a\))?:\s*$/i,
  /^\s*Den\b.{0,200}\bskrev\b.{0,200}:\s*$/i,
  /^.{0,200}\btarihinde\b.{0,200}\byazdı:\s*$/i,
  /^.{0,200}\bписал(?:а|\(а\))?:\s*$/i,
  /^.{0,200}(?:写道|寫道)\s*[:：]?\s*$/,
  /^.{0,200}(?:のメッセージ|が書きました|は書きました)\s*[:：]?\s*$/,
  /^.{0,200}님이 작성(?:한 글|하신 글)?\s*[:：]?\s*$/,
  /^.{0,200}كتب\s*:?\s*$/,
  /^\s*-{2,}\s*(?:Original Message|Forwarded message|Ursprüngliche Nachricht|Message d'origine|Mensaje original|Messaggio originale|Oorspronkelijk bericht|原始邮件|原始郵件|元のメッセージ|원본 메시지|Исходное сообщение)\s*-{2,}\s*$/i,
];
/** Outlook-style header block: "From: …" followed closely by "Sent:/Date:/To:/Subject:". */
const FROM_LINE = /^\s*\*?(?:From|De|Von|Da|Van|Od|От|发件人|寄件者|差出人|보낸 사람|من)\s*\*?\s*[:：]/i;
const NEXT_HEADER = /^\s*\*?(?:Sent|Date|To|Subject|Envoyé|Gesendet|Enviado|Inviato|Verzonden|Wysłano|Отправлено|发送时间|時間|日時|送信日時|날짜|보낸 날짜|An|À|Para|A|Aan|Do|Кому|收件人|宛先|받는 사람)\s*\*?\s*[:：]/i;
/** Phone mail apps' trailers. */
const MOBILE_SIGNATURE = /^\s*(?:Sent from my \w+|Sent from (?:Mail|Outlook|Yahoo Mail|Gmail)\b.*|Get Outlook for \w+.*|Envoyé de mon \w+|Von meinem \w+ gesendet|Enviado desde mi \w+|Inviato da \w+|Verzonden vanaf mijn \w+|Wysłane z \w+|Отправлено с \w+|从我的\s*\w+\s*发送|發自我的\s*\w+|\w+から送信|나의 \w+에서 보냄)\s*$/i;

export function trimReply(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let end = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '-- ' || line === '--' || line === '—' ) {
      end = i;
      break;
    }
    if (REPLY_HEADER.some((r) => r.test(line))) {
      end = i;
      break;
    }
    // "On Tue, … <a@b.c>" wrapped over two lines before "wrote:"
    if (i + 1 < lines.length && /^\s*(?:On|Le|Am|El)\b/i.test(line) && /\bwrote:\s*$|\ba écrit\s*:\s*$|\bschrieb\b.*:\s*$|\bescribió:\s*$/i.test(lines[i + 1]) && line.length < 200) {
      end = i;
      break;
    }
    if (FROM_LINE.test(line) && lines.slice(i + 1, i + 4).some((l) => NEXT_HEADER.test(l))) {
      end = i;
      // a separator line just above belongs to the quote
      if (i > 0 && /^\s*[_-]{8,}\s*$/.test(lines[i - 1])) end = i - 1;
      break;
    }
    if (MOBILE_SIGNATURE.test(line)) {
      end = i;
      break;
    }
    // a block of ">" lines up to the end (interleaved answers are kept)
    if (/^\s*>/.test(line) && lines.slice(i).every((l) => /^\s*>/.test(l) || !l.trim())) {
      end = i;
      break;
    }
  }
  return lines.slice(0, end).join('\n').replace(/\s+$/, '').replace(/^\s*\n/, '');
}
