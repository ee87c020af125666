/* « File d'attente »: the sealed retry posted again by itself after the delay, with a countdown
   and a button to suspend and resume it (WCAG 2.2.1, 2.2.2). Without JavaScript the person presses
   « Réessayer maintenant » (cas/queue.html). */
(function () {
  var label = document.getElementById("queue-delay");
  var form = document.getElementById("queue-retry");
  var wait = Number(form.dataset.retryAfter);
  var left = wait;
  var countdown = document.getElementById("queue-countdown");
  var status = document.getElementById("queue-status");
  var pause = document.getElementById("queue-pause");
  var pauseText = pause.textContent;
  var timer = null;
  function tick() {
    left -= 1; label.textContent = Math.max(left, 0);
    if (left <= 0) { stop(); form.submit(); }
  }
  function stop() { clearInterval(timer); timer = null; }
  function start() { timer = setInterval(tick, 1000); }
  document.getElementById("queue-manual").hidden = true;
  document.getElementById("queue-auto").hidden = false;
  pause.hidden = false;
  pause.addEventListener("click", function () {
    if (timer === null) {
      left = Math.max(left, wait);
      label.textContent = left;
      countdown.hidden = false;
      pause.textContent = pauseText;
      status.textContent = status.dataset.resumed + " " + countdown.textContent.trim();
      start();
    } else {
      stop();
      countdown.hidden = true;
      pause.textContent = pause.dataset.resume;
      status.textContent = status.dataset.paused;
    }
  });
  start();
})();
