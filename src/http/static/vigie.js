// Vigie dashboard: keyboard shortcuts, live updates and presence. Progressive: every action also
// works as a plain form post. Comment content is only ever written with textContent.
(function () {
  'use strict';
  var bootEl = document.getElementById('vigie-boot');
  var boot = bootEl ? JSON.parse(bootEl.textContent || '{}') : {};
  var M = boot.messages || {};
  function msg(key, vars) {
    var s = M[key] || key;
    return s.replace(/\{(\w+)\}/g, function (m, name) { return vars && name in vars ? String(vars[name]) : m; });
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  var toastTimer;
  function toast(text) {
    var t = document.getElementById('toast');
    if (!t) return;
    t.textContent = text;
    t.classList.add('show');
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { t.classList.remove('show'); }, 5000);
  }
  function post(url, body) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': boot.csrf },
      body: JSON.stringify(body)
    }).then(function (res) {
      if (!res.ok) throw new Error('HTTP ' + res.status);
      return res.json();
    });
  }
  function typing(target) {
    var tag = target && target.tagName;
    return tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA' || (target && target.isContentEditable);
  }

  var queue = document.getElementById('queue');
  var queueForm = document.getElementById('queue-form');
  var detail = document.getElementById('detail');
  var view = queueForm ? queueForm.getAttribute('data-view') : null;
  var help = document.getElementById('help');

  function rows() { return queue ? Array.prototype.slice.call(queue.querySelectorAll('li.row:not(.gone)')) : []; }
  var current = -1;
  function focusRow(i) {
    var list = rows();
    if (list.length === 0) { current = -1; return; }
    current = Math.max(0, Math.min(i, list.length - 1));
    list.forEach(function (r) { r.classList.remove('current'); });
    list[current].classList.add('current');
    list[current].focus();
  }
  function currentRow() {
    var list = rows();
    var active = document.activeElement && document.activeElement.closest ? document.activeElement.closest('li.row') : null;
    if (active && list.indexOf(active) >= 0) { current = list.indexOf(active); return active; }
    return list[current] || null;
  }
  function selectedIds() {
    return rows().filter(function (r) { var c = r.querySelector('input.pick'); return c && c.checked; })
      .map(function (r) { return r.getAttribute('data-id'); });
  }

  function reasonSelect() { return document.getElementById('reason') || document.getElementById('detail-reason'); }

  // Reject needs a reason: a small dialog, digits pick, Enter confirms, Escape cancels.
  function pickReason() {
    return new Promise(function (resolve) {
      var select = reasonSelect();
      if (!select) return resolve('other');
      var dialog = el('dialog', 'reasons-dialog');
      dialog.setAttribute('aria-label', msg('action.reason'));
      dialog.appendChild(el('h2', null, msg('action.reason')));
      var list = el('div', 'reason-list');
      var done = false;
      function finish(value) {
        if (done) return;
        done = true;
        dialog.close();
        dialog.remove();
        resolve(value);
      }
      Array.prototype.forEach.call(select.options, function (opt) {
        var b = el('button', 'reason-choice', opt.textContent);
        b.type = 'button';
        b.setAttribute('data-reason', opt.value);
        b.addEventListener('click', function () { finish(opt.value); });
        list.appendChild(b);
      });
      dialog.appendChild(list);
      dialog.addEventListener('keydown', function (e) {
        var n = parseInt(e.key, 10);
        if (n >= 1 && n <= select.options.length) { e.preventDefault(); finish(select.options[n - 1].value); }
      });
      dialog.addEventListener('close', function () { finish(null); });
      document.body.appendChild(dialog);
      dialog.showModal();
      var firstChoice = list.querySelector('button');
      if (firstChoice) firstChoice.focus();
    });
  }

  function act(action, ids, reason) {
    if (ids.length === 0) return Promise.resolve();
    var op = ids.length === 1 && !queue ? action + ':' + ids[0] : action;
    return post('/actions', { op: op, ids: ids, reason: reason || undefined })
      .then(function (res) {
        toast(msg('action.done', { n: res.changed.length, action: msg('action.' + action) }));
        return res;
      })
      .catch(function () { toast(msg('action.failed')); throw new Error('failed'); });
  }

  function actOnQueue(action) {
    var ids = selectedIds();
    var row = currentRow();
    if (ids.length === 0 && row) ids = [row.getAttribute('data-id')];
    if (ids.length === 0) return;
    var reasonStep = action === 'reject' ? pickReason() : Promise.resolve(null);
    reasonStep.then(function (reason) {
      if (action === 'reject' && !reason) { if (row) row.focus(); return; }
      var index = current;
      act(action, ids, reason).then(function (res) {
        var decision = action === 'escalate' ? 'review' : action;
        res.changed.forEach(function (id) {
          var r = queue.querySelector('li.row[data-id="' + CSS.escape(id) + '"]');
          if (!r) return;
          var leaves = (view === 'review' && action !== 'escalate') || (view === 'approved' && action !== 'approve') || (view === 'rejected' && action !== 'reject');
          if (leaves) { r.classList.add('gone'); r.remove(); return; }
          var badge = r.querySelector('.badge');
          if (badge) { badge.className = 'badge decision-' + decision; badge.textContent = msg('decision.' + decision) + ' · ' + boot.me; }
          var pick = r.querySelector('input.pick');
          if (pick) pick.checked = false;
        });
        focusRow(index);
      }, function () {});
    });
  }

  function undo() {
    post('/actions', { op: 'undo' }).then(function (res) {
      toast(res.changed.length ? msg('action.undone', { n: res.changed.length }) : msg('action.nothingToUndo'));
      if (res.changed.length) setTimeout(function () { location.reload(); }, 400);
    }, function () { toast(msg('action.failed')); });
  }

  function openRow(row) {
    var link = row && row.querySelector('a.open');
    if (link) location.href = link.href;
  }

  function backLink() { var b = document.querySelector('a.back'); return b ? b.href : '/'; }

  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (document.querySelector('dialog[open]')) return; // dialogs handle their own keys
    if (typing(e.target)) {
      if (e.key === 'Escape') { e.target.blur(); if (queue) focusRow(current < 0 ? 0 : current); }
      return;
    }
    var k = e.key;
    if (k === '?') { e.preventDefault(); if (help) help.showModal(); return; }
    if (k === '/') { var q = document.getElementById('q'); if (q) { e.preventDefault(); q.focus(); q.select(); } return; }
    if (k === 'u') { e.preventDefault(); undo(); return; }
    if (queue) {
      var onButton = e.target && (e.target.tagName === 'BUTTON' || e.target.tagName === 'A');
      if (k === 'j' || k === 'ArrowDown' && !onButton) { e.preventDefault(); focusRow(current + 1); }
      else if (k === 'k' || k === 'ArrowUp' && !onButton) { e.preventDefault(); focusRow(current - 1); }
      else if (k === 'x' || (k === ' ' && !onButton)) {
        e.preventDefault();
        var row = currentRow();
        var box = row && row.querySelector('input.pick');
        if (box) { box.checked = !box.checked; row.classList.toggle('selected', box.checked); }
      }
      else if (k === 'o' || (k === 'Enter' && !onButton)) { e.preventDefault(); openRow(currentRow()); }
      else if (k === 'a') { e.preventDefault(); actOnQueue('approve'); }
      else if (k === 'r') { e.preventDefault(); actOnQueue('reject'); }
      else if (k === 'e') { e.preventDefault(); actOnQueue('escalate'); }
      return;
    }
    if (detail) {
      var id = detail.getAttribute('data-id');
      var go = function () { location.href = backLink(); };
      if (k === 'a') { e.preventDefault(); act('approve', [id]).then(go, function () {}); }
      else if (k === 'e') { e.preventDefault(); act('escalate', [id]).then(go, function () {}); }
      else if (k === 'r') {
        e.preventDefault();
        pickReason().then(function (reason) { if (reason) act('reject', [id], reason).then(go, function () {}); });
      }
      else if (k === 'Escape' || k === 'Backspace') { e.preventDefault(); go(); }
    }
  });

  if (queue) {
    queue.addEventListener('focusin', function (e) {
      var row = e.target.closest && e.target.closest('li.row');
      if (!row) return;
      var list = rows();
      list.forEach(function (r) { r.classList.toggle('current', r === row); });
      current = list.indexOf(row);
    });
    queue.addEventListener('change', function (e) {
      if (e.target.classList && e.target.classList.contains('pick')) e.target.closest('li.row').classList.toggle('selected', e.target.checked);
    });
    if (!document.activeElement || document.activeElement === document.body) focusRow(0);
  }
  if (detail) {
    var main = document.getElementById('main');
    if (main && (!document.activeElement || document.activeElement === document.body)) main.focus();
  }

  // Live updates.
  function presenceText(names, isDetail) {
    var others = names.filter(function (n) { return n !== boot.me; });
    if (others.length === 0) return '';
    return msg(isDetail ? 'detail.alsoOpen' : 'queue.openedBy', { names: others.join(', ') });
  }
  function buildRow(c) {
    var li = el('li', 'row new decision-' + c.decision);
    li.setAttribute('data-id', c.id);
    li.tabIndex = -1;
    var box = el('input', 'pick');
    box.type = 'checkbox';
    box.name = 'ids';
    box.value = c.id;
    li.appendChild(box);
    var body = el('div', 'row-body');
    var meta = el('div', 'meta');
    meta.appendChild(el('span', 'badge decision-' + c.decision, msg('decision.' + c.decision)));
    if (c.topLabel) meta.appendChild(el('span', 'top-label', c.topLabel));
    meta.appendChild(el('span', 'severity', c.severity === null ? '–' : Number(c.severity).toFixed(2)));
    meta.appendChild(el('span', 'lang-tag', c.language || ''));
    meta.appendChild(el('span', 'author', c.author || msg('queue.anonymous')));
    meta.appendChild(el('span', 'article', c.articleTitle || ''));
    var presence = el('span', 'presence');
    presence.hidden = true;
    meta.appendChild(presence);
    body.appendChild(meta);
    var link = el('a', 'text open', c.text);
    link.href = '/comments/' + encodeURIComponent(c.id) + '?back=' + encodeURIComponent(location.pathname + location.search);
    body.appendChild(link);
    li.appendChild(body);
    var actions = el('div', 'row-actions');
    ['approve', 'reject', 'escalate'].forEach(function (a) {
      var b = el('button', 'act ' + a, msg('action.' + a));
      b.type = 'submit';
      b.name = 'op';
      b.value = a + ':' + c.id;
      actions.appendChild(b);
    });
    li.appendChild(actions);
    return li;
  }
  var newCount = 0;
  if (boot.me && typeof EventSource === 'function') {
    var source = new EventSource('/events');
    source.addEventListener('flagged', function (e) {
      var c = JSON.parse(e.data).comment;
      if (!queue || (view !== 'review' && view !== 'all')) return;
      if (queue.querySelector('li.row[data-id="' + CSS.escape(c.id) + '"]')) return;
      var plain = queueForm.getAttribute('data-filtered') === '0' && !/[?&]after=/.test(location.search);
      if (plain) {
        var empty = document.querySelector('p.empty');
        if (empty) empty.remove();
        // Keep the queue's order: most severe first.
        var key = c.severity === null ? -1 : Number(c.severity);
        var row = buildRow(c);
        row.setAttribute('data-sort', String(key));
        var before = rows().filter(function (r) { return Number(r.getAttribute('data-sort')) < key; })[0] || null;
        var focused = rows()[current];
        queue.insertBefore(row, before);
        if (focused) current = rows().indexOf(focused);
      }
      newCount += 1;
      var banner = document.getElementById('live-banner');
      if (banner) {
        banner.hidden = false;
        banner.firstElementChild.textContent = msg('queue.new', { n: newCount });
      }
    });
    source.addEventListener('action', function (e) {
      var ev = JSON.parse(e.data);
      if (ev.actor === boot.me || !queue) return;
      ev.ids.forEach(function (id) {
        var r = queue.querySelector('li.row[data-id="' + CSS.escape(id) + '"]');
        if (!r) return;
        r.classList.add('taken');
        var note = r.querySelector('.taken-note') || el('span', 'taken-note');
        var label = ev.action === 'approve' || ev.action === 'reject' ? msg('decision.' + ev.action) : ev.action === 'escalate' ? msg('action.escalate') : ev.action;
        note.textContent = msg('queue.takenBy', { action: label, name: ev.actor });
        r.querySelector('.meta').appendChild(note);
      });
    });
    source.addEventListener('presence', function (e) {
      var ev = JSON.parse(e.data);
      if (detail && detail.getAttribute('data-id') === ev.commentId) {
        var p = document.getElementById('presence');
        var text = presenceText(ev.names, true);
        p.textContent = text;
        p.hidden = !text;
      }
      if (queue) {
        var r = queue.querySelector('li.row[data-id="' + CSS.escape(ev.commentId) + '"] .presence');
        if (r) { var t = presenceText(ev.names, false); r.textContent = t; r.hidden = !t; }
      }
    });
    window.addEventListener('pagehide', function () { source.close(); });
  }

  // Presence: a heartbeat while the comment is open, a goodbye when leaving.
  if (detail && boot.me) {
    var cid = detail.getAttribute('data-id');
    var beat = setInterval(function () { post('/presence/' + encodeURIComponent(cid), {}).catch(function () {}); }, 10000);
    window.addEventListener('pagehide', function () {
      clearInterval(beat);
      var data = new URLSearchParams({ _csrf: boot.csrf, leave: '1' });
      if (navigator.sendBeacon) navigator.sendBeacon('/presence/' + encodeURIComponent(cid), data);
    });
  }
})();
