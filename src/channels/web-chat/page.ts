// The H5 chat page. Resident text is inserted with textContent only: it is data, never markup. The page does not
// name the visitor: the server does, in an HttpOnly cookie that fetch sends back (same origin).
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function webChatPage(title: string): string {
  return (
    `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, maximum-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  * { box-sizing: border-box; }
  body { margin: 0; font-family: -apple-system, "PingFang SC", "Microsoft YaHei", sans-serif; ` +
    `background: #ededed; height: 100vh; display: flex; flex-direction: column; }
  header { background: #2b7a4b; color: #fff; padding: 12px 16px; font-size: 17px; }
  #log { flex: 1; overflow-y: auto; padding: 12px; }
  .msg { max-width: 80%; margin: 6px 0; padding: 9px 12px; border-radius: 8px; ` +
    `white-space: pre-wrap; word-break: break-word; line-height: 1.5; font-size: 15px; }
  .bot { background: #fff; }
  .me { background: #95ec69; margin-left: auto; }
  .err { background: #fde2e2; color: #a33; }
  form { display: flex; gap: 8px; padding: 8px; background: #f7f7f7; border-top: 1px solid #ddd; }
  input { flex: 1; font-size: 16px; padding: 9px; border: 1px solid #ccc; border-radius: 6px; }
  button { font-size: 16px; padding: 0 16px; border: 0; border-radius: 6px; background: #2b7a4b; color: #fff; }
  button:disabled { opacity: .5; }
</style>
</head>
<body>
<header>${escapeHtml(title)}</header>
<main id="log" aria-live="polite"></main>
<form id="f"><input id="t" autocomplete="off" placeholder="请描述您遇到的问题" maxlength="1000" aria-label="消息">` +
    `<button id="b">发送</button></form>
<script>
(function () {
  var log = document.getElementById('log'), form = document.getElementById('f'), ` +
    `input = document.getElementById('t'), btn = document.getElementById('b');
  function rid() { var a = new Uint8Array(12); crypto.getRandomValues(a); ` +
    `return Array.from(a, function (x) { return ('0' + x.toString(16)).slice(-2); }).join(''); }
  try { localStorage.removeItem('kf_visitor'); } catch (e) {}
  function show(text, who) { var d = document.createElement('div'); d.className = 'msg ' + who; ` +
    `d.textContent = text; log.appendChild(d); log.scrollTop = log.scrollHeight; }
  function send(text) {
    btn.disabled = true;
    var body = JSON.stringify({ msgId: rid(), text: text });
    var attempt = function (n) {
      return fetch('/webchat/messages', { method: 'POST', credentials: 'same-origin', ` +
    `headers: { 'content-type': 'application/json' }, body: body })
        .then(function (r) { return r.json().then(function (j) { ` +
    `if (r.status === 429 && j.replies) { if (!input.value) input.value = text; return j; } ` +
    `if (!r.ok) throw new Error(j.message || r.status); return j; }); })
        .catch(function (e) { if (n > 0) return new Promise(function (ok) { setTimeout(ok, 800); })` +
    `.then(function () { return attempt(n - 1); }); throw e; });
    };
    attempt(2).then(function (j) { j.replies.forEach(function (r) { show(r, 'bot'); }); })
      .catch(function (e) { show('发送失败，请稍后再试（' + e.message + '）', 'err'); })
      .finally(function () { btn.disabled = false; input.focus(); });
  }
  form.addEventListener('submit', function (e) { e.preventDefault(); var v = input.value.trim(); if (!v) return; ` +
    `input.value = ''; show(v, 'me'); send(v); });
  show('您好！请直接描述需要报修或投诉的问题，例如"我家卫生间天花板在滴水"。回复"我的工单"可查询进度。', 'bot');
})();
</script>
</body>
</html>`
  );
}
