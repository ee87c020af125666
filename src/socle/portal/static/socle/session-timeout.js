/* The session's end, said before it comes (portal/_session_timeout.html says how). */
(function () {
  var box = document.getElementById("session-timeout");
  var said = document.getElementById("session-timeout-status");
  var idle = Number(box.dataset.idle) * 1000;
  var margin = Math.min(120000, idle / 2);
  var hardEnd = box.dataset.hardEndIn === "" ? Infinity
    : Date.now() + Number(box.dataset.hardEndIn) * 1000;
  var ACTIVITY = "socle.session.activity";
  var last = Date.now();  /* the latest request of any tab, as far as this one knows */
  var before = null;
  var timer = null;
  var warned = false;  /* the idle warning, with its button, is on screen */
  function shared() {  /* another tab's latest request, or 0 (no localStorage: private mode) */
    try { return Number(window.localStorage.getItem(ACTIVITY)) || 0; } catch (e) { return 0; }
  }
  function touched() {  /* this tab has just reached the server: tell the others */
    last = Date.now();
    try { window.localStorage.setItem(ACTIVITY, String(last)); } catch (e) { /* this tab only */ }
  }
  function left() {  /* until the sooner end, should the person do nothing from now */
    return Math.min(last + idle, hardEnd) - Date.now();
  }
  function at(ms) {
    return new Date(Date.now() + ms).toLocaleTimeString(
      document.documentElement.lang, {hour: "2-digit", minute: "2-digit"});
  }
  function paragraph(text) {
    var p = document.createElement("p");
    p.textContent = text;
    return p;
  }
  function show(nodes) {
    box.replaceChildren.apply(box, nodes);
    box.hidden = false;
  }
  function warn() {
    if (shared() > last) { last = shared(); arm(); return; }  /* another tab was used meanwhile */
    warned = true;
    before = document.activeElement;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-small";
    button.textContent = box.dataset.stay;
    button.addEventListener("click", stay);
    show([paragraph(box.dataset.warning.replace("{time}", at(left()))), button]);
    button.focus();
  }
  function warnHard() {  /* nothing to press: the end cannot be pushed back */
    show([paragraph(box.dataset.hardWarning.replace("{time}", at(hardEnd - Date.now())))]);
    timer = setTimeout(function () { ended(false); }, Math.max(0, hardEnd - Date.now()));
  }
  function ended(focus) {
    warned = false;
    var link = document.createElement("a");
    link.href = box.dataset.loginUrl;
    link.textContent = box.dataset.login;
    show([paragraph(box.dataset.ended), link]);
    if (focus !== false) { link.focus(); }
  }
  function arm() {
    clearTimeout(timer);
    if (hardEnd <= last + idle) {
      timer = setTimeout(warnHard, Math.max(0, hardEnd - Date.now() - margin));
    } else {
      timer = setTimeout(warn, Math.max(0, last + idle - margin - Date.now()));
    }
  }
  function extended() {  /* the warning goes, the focus comes back, the new end is said */
    warned = false;
    box.replaceChildren();
    box.hidden = true;
    said.textContent = box.dataset.extended.replace("{time}", at(left()));
    if (before && before !== document.body && document.contains(before)) { before.focus(); }
    arm();
  }
  function stay() {
    fetch(box.dataset.keepAlive, {credentials: "same-origin", cache: "no-store"}).then(
      function (answer) {
        if (answer.status !== 204) { ended(true); return; }
        touched();
        extended();
      },
      function () { /* no network: the warning stays, with its button */ });
  }
  window.addEventListener("storage", function (event) {
    if (event.key !== ACTIVITY || !(Number(event.newValue) > last)) { return; }
    last = Number(event.newValue);
    if (warned) { extended(); } else if (box.hidden) { arm(); }
  });
  touched();
  arm();
})();
