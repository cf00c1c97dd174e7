/** The widget's styles; they live in its shadow root, so the shop's CSS and ours never mix. */
export const CSS = `
:host { all: initial; }
* { box-sizing: border-box; }
.root { position: fixed; bottom: 20px; right: 20px; z-index: 2147483000; font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'PingFang SC', 'Hiragino Sans', 'Malgun Gothic', sans-serif; color: #1f2933; text-align: start; }
.root[dir="rtl"] { right: auto; left: 20px; }
button, input, textarea { font: inherit; color: inherit; text-transform: none; letter-spacing: normal; }
.launcher { display: flex; align-items: center; gap: 8px; margin-inline-start: auto; padding: 12px 18px; border: 0; border-radius: 999px; background: #2563eb; color: #fff; cursor: pointer; box-shadow: 0 4px 14px rgba(0,0,0,.2); font-weight: 600; position: relative; }
.launcher:hover { background: #1d4ed8; }
.launcher:focus-visible, .panel button:focus-visible { outline: 3px solid #93c5fd; outline-offset: 2px; }
.launcher svg { width: 20px; height: 20px; fill: currentColor; }
.badge { position: absolute; top: -2px; inset-inline-end: -2px; width: 12px; height: 12px; border-radius: 50%; background: #ef4444; border: 2px solid #fff; }
.panel { width: min(370px, calc(100vw - 40px)); height: min(540px, calc(100vh - 100px)); display: flex; flex-direction: column; background: #fff; border-radius: 14px; box-shadow: 0 12px 40px rgba(0,0,0,.25); overflow: hidden; margin-bottom: 12px; }
.panel[hidden], .launcher[hidden], form[hidden], .notice[hidden], .typing[hidden], .error[hidden], .who[hidden] { display: none; }
.head { display: flex; align-items: flex-start; gap: 8px; padding: 14px 16px; background: #2563eb; color: #fff; }
.head .titles { flex: 1; min-width: 0; }
.head strong { display: block; font-size: 16px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.status { font-size: 12px; opacity: .9; display: flex; align-items: center; gap: 6px; }
.dot { width: 8px; height: 8px; border-radius: 50%; background: #9ca3af; flex: none; }
.dot.on { background: #4ade80; }
.close { border: 0; background: transparent; color: #fff; font-size: 22px; line-height: 1; cursor: pointer; padding: 0 4px; }
.who { font-size: 12px; opacity: .85; margin-top: 2px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.notice { padding: 10px 16px; background: #fef3c7; color: #78350f; font-size: 13px; border-bottom: 1px solid #fde68a; }
.notice.info { background: #ecfdf5; color: #065f46; border-color: #a7f3d0; }
.log { flex: 1; overflow-y: auto; padding: 14px 16px; display: flex; flex-direction: column; gap: 10px; background: #f8fafc; }
.msg { max-width: 82%; display: flex; flex-direction: column; gap: 2px; }
.msg .meta { font-size: 11px; color: #64748b; }
.msg .text { padding: 8px 12px; border-radius: 12px; white-space: pre-wrap; overflow-wrap: anywhere; }
.msg.visitor { align-self: flex-end; align-items: flex-end; }
.msg.visitor .text { background: #2563eb; color: #fff; border-end-end-radius: 4px; }
.msg.agent, .msg.bot { align-self: flex-start; }
.msg.agent .text, .msg.bot .text { background: #fff; border: 1px solid #e2e8f0; border-end-start-radius: 4px; }
.msg.intro .text { background: #fff; border: 1px dashed #cbd5e1; }
.typing { padding: 4px 16px 6px; font-size: 12px; color: #64748b; font-style: italic; background: #f8fafc; }
form { display: flex; flex-direction: column; gap: 8px; padding: 12px 16px; border-top: 1px solid #e2e8f0; background: #fff; }
label { display: flex; flex-direction: column; gap: 3px; font-size: 12px; color: #475569; }
input, textarea { width: 100%; padding: 8px 10px; border: 1px solid #cbd5e1; border-radius: 8px; background: #fff; font-size: 14px; }
input:focus, textarea:focus { outline: 2px solid #93c5fd; border-color: #2563eb; }
textarea { resize: none; min-height: 40px; max-height: 120px; }
.compose { flex-direction: row; align-items: flex-end; }
.compose textarea { flex: 1; }
.primary { border: 0; border-radius: 8px; padding: 9px 14px; background: #2563eb; color: #fff; font-weight: 600; cursor: pointer; }
.primary:disabled { opacity: .6; cursor: default; }
.error { padding: 6px 16px; font-size: 12px; color: #b91c1c; background: #fff; }
.link { border: 0; background: none; color: #2563eb; cursor: pointer; padding: 0; font-size: 12px; text-decoration: underline; align-self: center; }
@media (max-width: 480px) { .root { bottom: 10px; right: 10px; } .root[dir="rtl"] { left: 10px; } }
`;
