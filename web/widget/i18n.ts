/**
 * The widget's own words, written per language (formal address where the market expects
 * it: Sie, vous, usted, です/ます, 존댓말). `{name}` and `{email}` are filled at run time.
 */
export interface Strings {
  launcher: string;
  title: string;
  online: string;
  offline: string;
  intro: string;
  name: string;
  email: string;
  emailRequired: string;
  emailNeeded: string;
  message: string;
  placeholder: string;
  start: string;
  send: string;
  leave: string;
  close: string;
  typing: string;
  typingAnon: string;
  you: string;
  agent: string;
  reconnecting: string;
  failed: string;
  rateLimited: string;
  tooLong: string;
  offlineThanks: string;
  chattingAs: string;
  newChat: string;
}

const en: Strings = {
  launcher: 'Chat with us',
  title: 'Customer service',
  online: 'We are online and usually reply within a few minutes.',
  offline: 'We are offline right now. Leave your message and e-mail address and we will reply by e-mail.',
  intro: 'Hello! How can we help you today?',
  name: 'Your name (optional)',
  email: 'E-mail (optional)',
  emailRequired: 'E-mail',
  emailNeeded: 'Please enter your e-mail address so we can reply.',
  message: 'Your message',
  placeholder: 'Write a message…',
  start: 'Start chat',
  send: 'Send',
  leave: 'Send message',
  close: 'Close chat',
  typing: '{name} is typing…',
  typingAnon: 'An agent is typing…',
  you: 'You',
  agent: 'Support',
  reconnecting: 'Connection lost. Reconnecting…',
  failed: 'Not sent. Please try again.',
  rateLimited: 'Too many messages. Please wait a moment.',
  tooLong: 'This message is too long (at most 5,000 characters).',
  offlineThanks: 'Thank you! We have received your message and will reply to {email} by e-mail.',
  chattingAs: 'Chatting as {name}',
  newChat: 'New conversation',
};

const zh: Strings = {
  launcher: '在线客服',
  title: '客户服务',
  online: '客服在线，通常几分钟内回复。',
  offline: '客服暂时不在线。请留下您的问题和邮箱，我们会通过邮件回复您。',
  intro: '您好！请问有什么可以帮您？',
  name: '您的称呼（选填）',
  email: '邮箱（选填）',
  emailRequired: '邮箱',
  emailNeeded: '请填写邮箱地址，以便我们回复您。',
  message: '您的问题',
  placeholder: '请输入消息…',
  start: '开始咨询',
  send: '发送',
  leave: '提交留言',
  close: '关闭对话',
  typing: '{name} 正在输入…',
  typingAnon: '客服正在输入…',
  you: '我',
  agent: '客服',
  reconnecting: '连接已断开，正在重新连接…',
  failed: '发送失败，请重试。',
  rateLimited: '消息发送过于频繁，请稍候再试。',
  tooLong: '消息太长（最多 5000 个字符）。',
  offlineThanks: '谢谢！我们已收到您的留言，会通过邮件回复到 {email}。',
  chattingAs: '当前身份：{name}',
  newChat: '新的对话',
};

const de: Strings = {
  launcher: 'Chatten Sie mit uns',
  title: 'Kundenservice',
  online: 'Wir sind online und antworten in der Regel innerhalb weniger Minuten.',
  offline: 'Wir sind gerade nicht erreichbar. Hinterlassen Sie uns Ihre Nachricht und Ihre E-Mail-Adresse – wir antworten Ihnen per E-Mail.',
  intro: 'Guten Tag! Wie können wir Ihnen helfen?',
  name: 'Ihr Name (optional)',
  email: 'E-Mail (optional)',
  emailRequired: 'E-Mail',
  emailNeeded: 'Bitte geben Sie Ihre E-Mail-Adresse an, damit wir Ihnen antworten können.',
  message: 'Ihre Nachricht',
  placeholder: 'Nachricht schreiben…',
  start: 'Chat starten',
  send: 'Senden',
  leave: 'Nachricht senden',
  close: 'Chat schließen',
  typing: '{name} schreibt…',
  typingAnon: 'Ein Mitarbeiter schreibt…',
  you: 'Sie',
  agent: 'Kundenservice',
  reconnecting: 'Verbindung unterbrochen. Verbindung wird wiederhergestellt…',
  failed: 'Nicht gesendet. Bitte versuchen Sie es erneut.',
  rateLimited: 'Zu viele Nachrichten. Bitte warten Sie einen Moment.',
  tooLong: 'Diese Nachricht ist zu lang (höchstens 5.000 Zeichen).',
  offlineThanks: 'Vielen Dank! Wir haben Ihre Nachricht erhalten und antworten Ihnen per E-Mail an {email}.',
  chattingAs: 'Sie chatten als {name}',
  newChat: 'Neues Gespräch',
};

const fr: Strings = {
  launcher: 'Discutez avec nous',
  title: 'Service client',
  online: 'Nous sommes en ligne et répondons généralement en quelques minutes.',
  offline: 'Nous sommes absents pour le moment. Laissez-nous votre message et votre adresse e-mail : nous vous répondrons par e-mail.',
  intro: 'Bonjour ! Comment pouvons-nous vous aider ?',
  name: 'Votre nom (facultatif)',
  email: 'E-mail (facultatif)',
  emailRequired: 'E-mail',
  emailNeeded: 'Veuillez indiquer votre adresse e-mail afin que nous puissions vous répondre.',
  message: 'Votre message',
  placeholder: 'Écrivez votre message…',
  start: 'Démarrer la discussion',
  send: 'Envoyer',
  leave: 'Envoyer le message',
  close: 'Fermer la discussion',
  typing: '{name} est en train d’écrire…',
  typingAnon: 'Un conseiller est en train d’écrire…',
  you: 'Vous',
  agent: 'Service client',
  reconnecting: 'Connexion perdue. Reconnexion en cours…',
  failed: 'Message non envoyé. Veuillez réessayer.',
  rateLimited: 'Trop de messages. Veuillez patienter un instant.',
  tooLong: 'Ce message est trop long (5 000 caractères au maximum).',
  offlineThanks: 'Merci ! Nous avons bien reçu votre message et vous répondrons par e-mail à {email}.',
  chattingAs: 'Vous discutez en tant que {name}',
  newChat: 'Nouvelle discussion',
};

const es: Strings = {
  launcher: 'Chatee con nosotros',
  title: 'Atención al cliente',
  online: 'Estamos en línea y solemos responder en pocos minutos.',
  offline: 'Ahora mismo no estamos disponibles. Déjenos su mensaje y su correo electrónico y le responderemos por correo.',
  intro: '¡Hola! ¿En qué podemos ayudarle?',
  name: 'Su nombre (opcional)',
  email: 'Correo electrónico (opcional)',
  emailRequired: 'Correo electrónico',
  emailNeeded: 'Indíquenos su correo electrónico para que podamos responderle.',
  message: 'Su mensaje',
  placeholder: 'Escriba un mensaje…',
  start: 'Iniciar chat',
  send: 'Enviar',
  leave: 'Enviar mensaje',
  close: 'Cerrar chat',
  typing: '{name} está escribiendo…',
  typingAnon: 'Un agente está escribiendo…',
  you: 'Usted',
  agent: 'Atención al cliente',
  reconnecting: 'Se ha perdido la conexión. Reconectando…',
  failed: 'No se ha enviado. Inténtelo de nuevo.',
  rateLimited: 'Demasiados mensajes. Espere un momento, por favor.',
  tooLong: 'El mensaje es demasiado largo (máximo 5.000 caracteres).',
  offlineThanks: '¡Gracias! Hemos recibido su mensaje y le responderemos por correo a {email}.',
  chattingAs: 'Conversando como {name}',
  newChat: 'Nueva conversación',
};

const it: Strings = {
  launcher: 'Scrivici in chat',
  title: 'Servizio clienti',
  online: 'Siamo online e di solito rispondiamo entro pochi minuti.',
  offline: 'Al momento non siamo disponibili. Ci lasci il suo messaggio e il suo indirizzo e-mail: le risponderemo via e-mail.',
  intro: 'Buongiorno! Come possiamo aiutarla?',
  name: 'Il suo nome (facoltativo)',
  email: 'E-mail (facoltativa)',
  emailRequired: 'E-mail',
  emailNeeded: 'Inserisca il suo indirizzo e-mail, così potremo risponderle.',
  message: 'Il suo messaggio',
  placeholder: 'Scriva un messaggio…',
  start: 'Avvia la chat',
  send: 'Invia',
  leave: 'Invia messaggio',
  close: 'Chiudi la chat',
  typing: '{name} sta scrivendo…',
  typingAnon: 'Un operatore sta scrivendo…',
  you: 'Lei',
  agent: 'Servizio clienti',
  reconnecting: 'Connessione persa. Riconnessione in corso…',
  failed: 'Messaggio non inviato. Riprovi, per favore.',
  rateLimited: 'Troppi messaggi. Attenda un momento, per favore.',
  tooLong: 'Il messaggio è troppo lungo (al massimo 5.000 caratteri).',
  offlineThanks: 'Grazie! Abbiamo ricevuto il suo messaggio e le risponderemo via e-mail a {email}.',
  chattingAs: 'In chat come {name}',
  newChat: 'Nuova conversazione',
};

const ja: Strings = {
  launcher: 'チャットで問い合わせる',
  title: 'カスタマーサービス',
  online: 'オンライン対応中です。通常数分以内にご返信いたします。',
  offline: '現在、担当者が不在です。お問い合わせ内容とメールアドレスをご記入いただければ、メールにてご返信いたします。',
  intro: 'こんにちは。どのようなご用件でしょうか。',
  name: 'お名前（任意）',
  email: 'メールアドレス（任意）',
  emailRequired: 'メールアドレス',
  emailNeeded: 'ご返信のため、メールアドレスをご入力ください。',
  message: 'お問い合わせ内容',
  placeholder: 'メッセージを入力してください…',
  start: 'チャットを開始',
  send: '送信',
  leave: 'メッセージを送信',
  close: 'チャットを閉じる',
  typing: '{name}が入力中です…',
  typingAnon: '担当者が入力中です…',
  you: 'あなた',
  agent: 'サポート',
  reconnecting: '接続が切れました。再接続しています…',
  failed: '送信できませんでした。もう一度お試しください。',
  rateLimited: '送信回数が多すぎます。しばらくお待ちください。',
  tooLong: 'メッセージが長すぎます（5,000文字まで）。',
  offlineThanks: 'ありがとうございます。メッセージを受け付けました。{email} 宛にメールでご返信いたします。',
  chattingAs: '{name} 様としてチャット中',
  newChat: '新しいお問い合わせ',
};

const ko: Strings = {
  launcher: '채팅 상담',
  title: '고객센터',
  online: '상담원이 온라인입니다. 보통 몇 분 안에 답변드립니다.',
  offline: '지금은 상담원이 부재 중입니다. 문의 내용과 이메일 주소를 남겨 주시면 이메일로 답변드리겠습니다.',
  intro: '안녕하세요! 무엇을 도와드릴까요?',
  name: '성함 (선택)',
  email: '이메일 (선택)',
  emailRequired: '이메일',
  emailNeeded: '답변을 받으실 이메일 주소를 입력해 주세요.',
  message: '문의 내용',
  placeholder: '메시지를 입력해 주세요…',
  start: '채팅 시작',
  send: '보내기',
  leave: '메시지 보내기',
  close: '채팅 닫기',
  typing: '{name} 님이 입력 중입니다…',
  typingAnon: '상담원이 입력 중입니다…',
  you: '나',
  agent: '고객센터',
  reconnecting: '연결이 끊어졌습니다. 다시 연결하는 중입니다…',
  failed: '전송하지 못했습니다. 다시 시도해 주세요.',
  rateLimited: '메시지를 너무 많이 보내셨습니다. 잠시 후 다시 시도해 주세요.',
  tooLong: '메시지가 너무 깁니다 (최대 5,000자).',
  offlineThanks: '감사합니다! 메시지를 받았으며 {email}(으)로 이메일 답변을 드리겠습니다.',
  chattingAs: '{name} 님으로 상담 중',
  newChat: '새 상담',
};

const ar: Strings = {
  launcher: 'تحدث معنا',
  title: 'خدمة العملاء',
  online: 'نحن متصلون الآن ونرد عادةً خلال دقائق.',
  offline: 'لا يوجد أحد متاح حاليًا. اترك رسالتك وبريدك الإلكتروني وسنرد عليك عبر البريد الإلكتروني.',
  intro: 'مرحبًا! كيف يمكننا مساعدتك؟',
  name: 'اسمك (اختياري)',
  email: 'البريد الإلكتروني (اختياري)',
  emailRequired: 'البريد الإلكتروني',
  emailNeeded: 'يرجى إدخال بريدك الإلكتروني حتى نتمكن من الرد عليك.',
  message: 'رسالتك',
  placeholder: 'اكتب رسالة…',
  start: 'ابدأ المحادثة',
  send: 'إرسال',
  leave: 'إرسال الرسالة',
  close: 'إغلاق المحادثة',
  typing: '{name} يكتب الآن…',
  typingAnon: 'أحد موظفي الدعم يكتب الآن…',
  you: 'أنت',
  agent: 'الدعم',
  reconnecting: 'انقطع الاتصال. جارٍ إعادة الاتصال…',
  failed: 'لم يتم الإرسال. يرجى المحاولة مرة أخرى.',
  rateLimited: 'رسائل كثيرة جدًا. يرجى الانتظار قليلًا.',
  tooLong: 'الرسالة طويلة جدًا (5000 حرف كحد أقصى).',
  offlineThanks: 'شكرًا لك! لقد استلمنا رسالتك وسنرد عليك عبر البريد الإلكتروني على {email}.',
  chattingAs: 'تتحدث باسم {name}',
  newChat: 'محادثة جديدة',
};

const pt: Strings = {
  launcher: 'Fale conosco',
  title: 'Atendimento ao cliente',
  online: 'Estamos online e costumamos responder em poucos minutos.',
  offline: 'No momento não estamos disponíveis. Deixe sua mensagem e seu e-mail e responderemos por e-mail.',
  intro: 'Olá! Como podemos ajudar?',
  name: 'Seu nome (opcional)',
  email: 'E-mail (opcional)',
  emailRequired: 'E-mail',
  emailNeeded: 'Informe seu e-mail para que possamos responder.',
  message: 'Sua mensagem',
  placeholder: 'Escreva uma mensagem…',
  start: 'Iniciar conversa',
  send: 'Enviar',
  leave: 'Enviar mensagem',
  close: 'Fechar conversa',
  typing: '{name} está digitando…',
  typingAnon: 'Um atendente está digitando…',
  you: 'Você',
  agent: 'Atendimento',
  reconnecting: 'Conexão perdida. Reconectando…',
  failed: 'Não enviada. Tente novamente.',
  rateLimited: 'Muitas mensagens. Aguarde um momento.',
  tooLong: 'A mensagem é longa demais (no máximo 5.000 caracteres).',
  offlineThanks: 'Obrigado! Recebemos sua mensagem e responderemos por e-mail para {email}.',
  chattingAs: 'Conversando como {name}',
  newChat: 'Nova conversa',
};

const nl: Strings = {
  launcher: 'Chat met ons',
  title: 'Klantenservice',
  online: 'We zijn online en reageren meestal binnen een paar minuten.',
  offline: 'We zijn op dit moment niet bereikbaar. Laat uw bericht en e-mailadres achter, dan antwoorden we per e-mail.',
  intro: 'Hallo! Waarmee kunnen we u helpen?',
  name: 'Uw naam (optioneel)',
  email: 'E-mail (optioneel)',
  emailRequired: 'E-mail',
  emailNeeded: 'Vul uw e-mailadres in zodat we u kunnen antwoorden.',
  message: 'Uw bericht',
  placeholder: 'Typ een bericht…',
  start: 'Chat starten',
  send: 'Versturen',
  leave: 'Bericht versturen',
  close: 'Chat sluiten',
  typing: '{name} is aan het typen…',
  typingAnon: 'Een medewerker is aan het typen…',
  you: 'U',
  agent: 'Klantenservice',
  reconnecting: 'Verbinding verbroken. Opnieuw verbinden…',
  failed: 'Niet verzonden. Probeer het opnieuw.',
  rateLimited: 'Te veel berichten. Wacht even, alstublieft.',
  tooLong: 'Dit bericht is te lang (maximaal 5.000 tekens).',
  offlineThanks: 'Bedankt! We hebben uw bericht ontvangen en antwoorden per e-mail aan {email}.',
  chattingAs: 'U chat als {name}',
  newChat: 'Nieuw gesprek',
};

const ru: Strings = {
  launcher: 'Напишите нам',
  title: 'Служба поддержки',
  online: 'Мы на связи и обычно отвечаем в течение нескольких минут.',
  offline: 'Сейчас мы не в сети. Оставьте сообщение и адрес электронной почты — мы ответим вам по почте.',
  intro: 'Здравствуйте! Чем мы можем вам помочь?',
  name: 'Ваше имя (необязательно)',
  email: 'Эл. почта (необязательно)',
  emailRequired: 'Эл. почта',
  emailNeeded: 'Укажите, пожалуйста, адрес электронной почты, чтобы мы могли вам ответить.',
  message: 'Ваше сообщение',
  placeholder: 'Напишите сообщение…',
  start: 'Начать чат',
  send: 'Отправить',
  leave: 'Отправить сообщение',
  close: 'Закрыть чат',
  typing: '{name} печатает…',
  typingAnon: 'Сотрудник поддержки печатает…',
  you: 'Вы',
  agent: 'Поддержка',
  reconnecting: 'Соединение потеряно. Переподключаемся…',
  failed: 'Не отправлено. Попробуйте ещё раз.',
  rateLimited: 'Слишком много сообщений. Подождите немного.',
  tooLong: 'Сообщение слишком длинное (не более 5000 символов).',
  offlineThanks: 'Спасибо! Мы получили ваше сообщение и ответим на {email}.',
  chattingAs: 'Вы в чате как {name}',
  newChat: 'Новый разговор',
};

export const STRINGS: Record<string, Strings> = { en, zh, de, fr, es, it, ja, ko, ar, pt, nl, ru };
export const RTL = new Set(['ar', 'he', 'fa', 'ur']);

/** The first supported language among the page's preferences ("de-AT" → de), else English. */
export function pickLanguage(preferences: readonly string[]): string {
  for (const p of preferences) {
    const base = p.toLowerCase().split(/[-_]/)[0];
    if (base && STRINGS[base]) return base;
  }
  return 'en';
}

export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => values[k] ?? m);
}
