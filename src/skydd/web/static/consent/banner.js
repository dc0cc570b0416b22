/*
 * skydd cookie banner (P9; docs/decisions/0022-cookie-banner.md). Served as /consent.js
 * with the register's purposes, trackers and both languages' texts put in place of
 * CONFIG. On any site:
 *
 *   <script src="https://skydd.example.com/consent.js" data-lang="sv"></script>
 *   <script type="text/plain" data-category="analytics" src="https://…/a.js"></script>
 *   <a href="#" data-skydd-consent-open>Cookie settings</a>
 *
 * A script marked type="text/plain" with data-category (a purpose key, or a cookie
 * category) stays inert until the visitor consents to it. The choice is kept in this
 * site's localStorage with a random visitor id, and recorded in skydd's consent ledger.
 */
(function () {
  "use strict";
  var C = /*CONFIG*/ null;
  if (!C) return;
  var W = window, D = document, N = navigator, me = D.currentScript;
  var KEY = "skydd-consent", GATED = 'script[type="text/plain"][data-category]';
  var gpc = N.globalPrivacyControl === true;
  var lang = pick(), L = C.l[lang], T = L.texts;
  var st = load(), root, host, bar, dlg, opener;

  function pick() {
    var tags = [me && me.getAttribute("data-lang"), D.documentElement.lang, N.language];
    for (var i = 0; i < tags.length; i++) {
      if (tags[i]) return C.l[tags[i].slice(0, 2).toLowerCase()] ? tags[i].slice(0, 2).toLowerCase() : C.d;
    }
    return C.d;
  }
  function load() {
    try {
      return JSON.parse(localStorage.getItem(KEY)) || {};
    } catch (e) {
      return {};
    }
  }
  function save() {
    try {
      localStorage.setItem(KEY, JSON.stringify(st));
    } catch (e) {}
  }
  function current() {
    return st.v === C.v;
  }
  function uuid() {
    if (W.crypto.randomUUID) return W.crypto.randomUUID();
    return "10000000-1000-4000-8000-100000000000".replace(/[018]/g, function (c) {
      return (c ^ (W.crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16);
    });
  }

  /* Which data-category labels may run: only choices the ledger has recorded. */
  function allowed(label) {
    if (label === "strictly_necessary") return true;
    if (!current() || !st.r) return false;
    if (C.k.indexOf(label) >= 0) return st.c[label] === true;
    var needs = C.g[label];
    return !!needs && needs.every(function (k) {
      return st.c[k] === true;
    });
  }
  function run(old) {
    if (old.type !== "text/plain" || !allowed(old.getAttribute("data-category"))) return;
    var s = D.createElement("script");
    for (var i = 0; i < old.attributes.length; i++) {
      if (old.attributes[i].name !== "type") s.setAttribute(old.attributes[i].name, old.attributes[i].value);
    }
    s.text = old.text;
    s.async = false;
    old.parentNode.replaceChild(s, old);
  }
  function apply() {
    [].forEach.call(D.querySelectorAll(GATED), run);
  }
  new MutationObserver(function (changes) {
    changes.forEach(function (m) {
      [].forEach.call(m.addedNodes, function (n) {
        if (n.tagName === "SCRIPT") run(n);
        else if (n.querySelectorAll) [].forEach.call(n.querySelectorAll(GATED), run);
      });
    });
  }).observe(D.documentElement, { childList: true, subtree: true });

  /* Record the stored choice; gated scripts run once skydd has it. */
  function record(then) {
    W.fetch(C.u, {
      method: "POST",
      credentials: "omit",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        visitor: st.id, banner_version: C.v, language: lang, choices: st.c, explicit: !!st.x, gpc: gpc
      })
    }).then(function (r) {
      if (r.status === 409) return again();
      if (!r.ok) return;
      st.r = 1;
      save();
      if (then) then();
      apply();
    }, function () {});
  }
  function choose(choices, explicit) {
    var withdrawn = current() && st.r && C.k.some(function (k) {
      return st.c[k] && !choices[k];
    });
    st = { id: st.id || uuid(), v: C.v, c: choices, x: explicit ? 1 : 0, r: 0, d: st.d };
    save();
    if (bar) bar.remove();
    bar = null;
    /* A script that ran cannot be stopped: load the page again without it. */
    record(withdrawn ? function () { W.location.reload(); } : null);
  }
  function all(yes) {
    var c = {};
    C.k.forEach(function (k) {
      c[k] = yes;
    });
    return c;
  }
  /* The banner changed since this copy was served: load the current one, which asks again. */
  function again() {
    st = { id: st.id };
    save();
    host.remove();
    var s = D.createElement("script");
    if (me) for (var i = 0; i < me.attributes.length; i++) s.setAttribute(me.attributes[i].name, me.attributes[i].value);
    s.src = C.s + "?r=" + Date.now();
    D.head.appendChild(s);
  }

  function el(tag, attrs, kids) {
    var e = D.createElement(tag);
    for (var a in attrs) {
      if (a === "text") e.textContent = attrs[a];
      else e.setAttribute(a, attrs[a]);
    }
    (kids || []).forEach(function (k) {
      if (k) e.appendChild(k);
    });
    return e;
  }
  function button(action, text) {
    return el("button", { type: "button", "data-a": action, text: T[text || action] });
  }
  function table(rows) {
    var head = el("tr", {}, ["name", "provider", "category", "duration"].map(function (k) {
      return el("th", { scope: "col", text: T[k] });
    }));
    return el("table", {}, [el("thead", {}, [head]), el("tbody", {}, rows.map(function (r) {
      var name = el("td", { text: r[0] }, r[4] ? [el("small", { text: r[4] })] : []);
      return el("tr", {}, [name, el("td", { text: r[1] }), el("td", { text: r[2] }), el("td", { text: r[3] })]);
    }))]);
  }
  function showBar(note) {
    var text = note
      ? [el("span", { text: T.gpc })]
      : [el("strong", { text: T.title + " " }), el("span", { text: T.intro + " " }),
         el("a", { href: C.h[lang], target: "_blank", rel: "noopener", text: T.policy })];
    var buttons = note ? [button("choose"), button("ok")] : [button("accept"), button("reject"), button("choose")];
    bar = el("div", { class: "bar", role: "region", "aria-label": T.title }, [el("p", {}, text), el("div", {}, buttons)]);
    root.appendChild(bar);
  }
  function build() {
    host = el("div", { id: "skydd-consent" });
    root = host.attachShadow({ mode: "open" });
    root.appendChild(el("style", { text: C.css }));
    var parts = [el("h2", { id: "skydd-t", text: T.settings }), el("p", { text: T.settings_intro }),
      el("h3", { text: T.necessary }),
      el("label", {}, [el("input", { type: "checkbox", checked: "", disabled: "" }), el("span", { text: T.always_on })]),
      L.necessary.length && table(L.necessary)];
    L.purposes.forEach(function (p) {
      parts.push(el("h3", {}, [el("label", {}, [el("input", { type: "checkbox", name: p.key }), el("span", { text: p.name })])]));
      if (p.text) parts.push(el("p", { text: p.text }));
      parts.push(table(p.trackers));
    });
    parts.push(el("div", {}, [button("save"), button("close")]));
    dlg = el("dialog", { role: "dialog", "aria-modal": "true", "aria-labelledby": "skydd-t" }, parts);
    root.appendChild(dlg);
    root.addEventListener("click", clicked);
    dlg.addEventListener("keydown", trap);
    dlg.addEventListener("close", function () {
      if (opener && opener.isConnected) opener.focus();
    });
    D.body.prepend(host);
  }
  function clicked(e) {
    var a = e.target.closest && e.target.closest("[data-a]");
    a = a && a.getAttribute("data-a");
    if (a === "accept") choose(all(true), 1);
    else if (a === "reject") choose(all(false), 1);
    else if (a === "choose") open();
    else if (a === "close") dlg.close();
    else if (a === "ok") {
      st.d = 1;
      save();
      bar.remove();
      bar = null;
    } else if (a === "save") {
      var c = {};
      C.k.forEach(function (k) {
        c[k] = dlg.querySelector('input[name="' + k + '"]').checked;
      });
      dlg.close();
      choose(c, 1);
    }
  }
  /* Tab and Shift+Tab stay inside the dialog while it is open. */
  function trap(e) {
    if (e.key !== "Tab") return;
    var f = dlg.querySelectorAll("button, input:not([disabled]), a[href]");
    var first = f[0], last = f[f.length - 1], at = root.activeElement;
    if (e.shiftKey ? at === first : at === last) {
      e.preventDefault();
      (e.shiftKey ? last : first).focus();
    }
  }
  function open() {
    if (!dlg || !host.isConnected) return;
    opener = root.activeElement || D.activeElement;
    C.k.forEach(function (k) {
      dlg.querySelector('input[name="' + k + '"]').checked = current() && st.c[k] === true;
    });
    dlg.showModal();
  }
  W.skyddConsent = {
    open: open,
    allowed: allowed,
    choices: function () {
      return current() ? st.c : null;
    }
  };
  D.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("[data-skydd-consent-open]")) {
      e.preventDefault();
      open();
    }
  });

  function start() {
    build();
    /* Nothing to consent to: no question, and the dialog only lists what is always on. */
    if (!C.k.length) return apply();
    if (!current() && gpc) choose(all(false), 0);
    else if (current() && !st.r) record();
    else apply();
    if (!current()) showBar(false);
    else if (gpc && !st.x && !st.d) showBar(true);
  }
  if (D.body) start();
  else D.addEventListener("DOMContentLoaded", start);
})();
