/**
 * One-line explanations of the rubric's verdicts, in English and Chinese, by evidence code.
 * `{name}` placeholders are filled from the evidence's parameters.
 */

/** [evidence code, English, Chinese], by the dimension that reports them. */
const ROWS: ReadonlyArray<readonly [code: string, en: string, zh: string]> = [
  ['empty_reply', 'The reply is empty.', '回复为空。'],
  // greeting
  ['greeting', 'Opens with a greeting.', '开头有问候语。'],
  ['no_greeting', 'No greeting at the start of the reply.', '回复开头没有问候语。'],
  ['greeting_again', 'Greets again mid-conversation; greet once, at the start.', '对话中途再次问候；问候一次、放在开头即可。'],
  // empathy
  ['apology', 'Apologises for the problem.', '为问题向客户致歉。'],
  ['empathy', "Acknowledges the customer's situation or feelings.", '体谅并回应了客户的处境或情绪。'],
  ['thanks_only', 'Only thanks the customer; no apology or acknowledgement of the problem.', '只有感谢，没有致歉或对问题的体谅。'],
  ['no_empathy', 'No apology or acknowledgement of the customer\'s problem.', '没有致歉，也没有体谅客户遇到的问题。'],
  ['empathy_late', 'Acknowledges the problem only late in the conversation.', '到对话后段才体谅客户的问题。'],
  // comprehension
  ['reasks_order_number', 'Asks again for the order number the customer already gave.', '客户已提供订单号，却再次索要。'],
  ['reasks_photo', 'Asks for photos the customer already sent.', '客户已发送照片，却再次索要。'],
  ['asks_needed_info', 'Asks for information that is still missing.', '询问了尚缺的必要信息。'],
  ['addresses_request', 'Answers what the customer asked about ({category}).', '回应了客户的诉求（{category}）。'],
  ['off_request', 'Does not address what the customer asked about ({category}).', '没有回应客户的诉求（{category}）。'],
  // solution
  ['resolution_with_time', 'Offers a concrete resolution with a time.', '给出了具体的解决方案并承诺了时间。'],
  ['resolution_no_time', 'Offers a resolution but says not when it happens.', '给出了解决方案，但没有说明何时完成。'],
  ['next_step_with_time', 'Commits to a next step with a time.', '承诺了下一步行动及时间。'],
  ['next_step_vague', 'Only a vague next step, without a time.', '只有模糊的下一步，没有时间承诺。'],
  ['no_solution', 'No resolution or next step offered.', '没有提供解决方案或下一步。'],
  // policy
  ['refusal_in_withdrawal_window', 'Refuses a return/refund on day {days}, inside the {window}-day legal withdrawal window in {market}.', '第{days}天拒绝退货/退款，但{market}法定撤回期为{window}天，仍在期限内。'],
  ['window_shorter_than_law', 'States a {stated}-day return limit; the law in {market} gives {window} days.', '声称只有{stated}天退货期；{market}法律规定为{window}天。'],
  ['refusal_in_store_window', "Refuses a return on day {days}, inside the store's own {window}-day return policy.", '第{days}天拒绝退货，但店铺自己的退货政策为{window}天。'],
  ['refuses_remedy_faulty', 'Refuses any remedy for a damaged, defective or wrong item.', '对破损、故障或错发的商品拒绝提供任何补救。'],
  ['customer_pays_faulty', 'Makes the customer pay return costs for a damaged, defective or wrong item; the seller pays.', '让客户承担破损/故障/错发商品的退货费用；应由卖家承担。'],
  ['carrier_yourself', 'Sends the customer to the carrier; the seller handles carrier claims (risk stays with the seller until delivery).', '让客户自己去找快递；应由卖家向承运商索赔（交付前风险由卖家承担）。'],
  ['review_manipulation', 'Ties a benefit to removing, changing or rating a review: review manipulation.', '以好处换取删除/修改评价或给好评：属于操纵评价。'],
  ['chargeback_drop_demand', 'Tells the customer to drop the dispute/chargeback first: never a condition for help.', '要求客户先撤销争议/拒付：不得以此作为处理的前提。'],
  ['seller_pays_return', 'The seller covers return costs, as the rules require.', '由卖家承担退货费用，符合规定。'],
  ['policy_ok', 'Nothing against the market rules or the store policy.', '未违反市场法规或店铺政策。'],
  // tone
  ['blame', 'Blames the customer.', '指责客户。'],
  ['sarcasm', 'Sarcastic or condescending.', '语带讽刺或居高临下。'],
  ['rude', 'Rude or dismissive.', '语气粗鲁或敷衍。'],
  ['shouting', 'Shouting (capitals, repeated exclamation marks).', '语气激动（大写、连续感叹号）。'],
  ['tone_ok', 'Courteous tone, no blame.', '语气礼貌，没有指责。'],
  // language
  ['language_match', "Written in the customer's language ({expected}).", '使用了客户的语言（{expected}）。'],
  ['language_mismatch', "Written in {found}, not in the customer's language ({expected}).", '使用了{found}，而不是客户的语言（{expected}）。'],
  // sensitive data
  ['asks_sensitive', 'Asks for a card number, CVV, password or one-time code: never ask for these.', '索要卡号、CVV、密码或验证码：绝不能索要这些信息。'],
  ['warns_sensitive', 'Warns the customer not to share secret data.', '提醒客户不要透露敏感信息。'],
  ['sensitive_ok', 'Asks for no card data, password or one-time code.', '没有索要卡信息、密码或验证码。'],
  // closing
  ['closing', 'Ends with a closing (sign-off or offer of further help).', '结尾有结束语（署名或进一步协助）。'],
  ['no_closing', 'No closing at the end.', '结尾没有结束语。'],
  // readability
  ['readable', 'Short, clear sentences.', '句子简短清晰。'],
  ['long_sentences', 'Sentences are long (about {avg} words on average); split them.', '句子偏长（平均约{avg}词）；请拆分。'],
  ['too_short', 'Too short to help the customer.', '过于简短，无法帮助客户。'],
  ['too_long', 'Very long reply; say it in fewer words.', '回复过长；请精简。'],
  ['repeated_punct', 'Repeated punctuation (!!!, ???).', '标点重复（!!!、???）。'],
  // cultural fit
  ['formal_address', 'Uses the formal address the market expects.', '使用了该市场期望的敬称/正式称呼。'],
  ['informal_address', 'Informal address ({found}) where the market expects formal.', '使用了非正式称呼（{found}），该市场期望正式称呼。'],
  ['ja_formal_apology_first', 'JP: formal apology (申し訳ございません) before the explanation.', '日本：在说明之前先正式致歉（申し訳ございません）。'],
  ['ja_casual_apology', 'JP: casual apology (すみません/ごめん); use 申し訳ございません.', '日本：致歉过于随意（すみません/ごめん），应使用申し訳ございません。'],
  ['ja_apology_late', 'JP: the apology comes after the explanation; apologise first.', '日本：致歉放在说明之后；应先致歉。'],
  ['ja_no_apology', 'JP: no formal apology for the problem.', '日本：没有为问题正式致歉。'],
  ['ja_plain_form', 'JP: plain forms instead of です/ます.', '日本：没有使用です/ます敬体。'],
  ['ko_banmal', 'KR: 반말 (plain speech) where 존댓말 is expected.', '韩国：使用了半语，应使用敬语。'],
  ['ko_polite', 'KR: polite 존댓말 throughout.', '韩国：全程使用敬语。'],
  ['zh_ni', 'ZH: 你 instead of the courteous 您.', '中文：用了“你”而不是“您”。'],
  ['en_slang', 'Slang or chat-speak in a customer reply.', '回复中使用了俚语或网络用语。'],
  ['culture_na', 'Not in the customer\'s language, so it cannot fit the culture.', '没有使用客户的语言，无法符合当地文化。'],
  ['culture_neutral', 'Nothing for or against the market\'s conventions.', '没有明显符合或违背当地习惯之处。'],
];

export const EXPLANATIONS: Record<string, { en: string; zh: string }> = Object.fromEntries(ROWS.map(([code, en, zh]) => [code, { en, zh }]));

/** Names of the rubric's dimensions for reports and the UI. */
export const DIMENSION_NAMES: Record<string, { en: string; zh: string }> = {
  greeting: { en: 'Greeting', zh: '问候' },
  empathy: { en: 'Empathy and acknowledgement', zh: '共情与致歉' },
  comprehension: { en: 'Comprehension', zh: '理解诉求' },
  solution: { en: 'Solution offered', zh: '解决方案' },
  policy: { en: 'Policy compliance', zh: '政策合规' },
  tone: { en: 'Tone', zh: '语气' },
  language: { en: "Customer's language", zh: '客户语言' },
  sensitive_data: { en: 'Sensitive data', zh: '敏感信息' },
  closing: { en: 'Closing', zh: '结束语' },
  readability: { en: 'Readability', zh: '可读性' },
  cultural_fit: { en: 'Cultural fit', zh: '文化契合' },
};

export function explain(code: string, params: Record<string, string | number> = {}): { en: string; zh: string } {
  const e = EXPLANATIONS[code] ?? { en: code, zh: code };
  if (!e.en.includes('{')) return e;
  const fill = (s: string) => s.replace(/\{(\w+)\}/g, (_, k: string) => (k in params ? String(params[k]) : `{${k}}`));
  return { en: fill(e.en), zh: fill(e.zh) };
}
