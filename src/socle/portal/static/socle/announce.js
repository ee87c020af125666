/* Announces the live regions of the element just before this script (its [role] children):
   emptied before the first paint, filled again once the page has loaded, so that screen readers
   say a message the page arrived with (base.html's messages, the login page's « saved »
   notice). Loaded without defer, right after that element (socle/_announce.html). */
(function () {
  var held = [];
  document.currentScript.previousElementSibling.querySelectorAll("[role]").forEach(function (box) {
    var content = document.createDocumentFragment();
    box.style.minHeight = box.offsetHeight + "px";  // the empty box keeps its place
    while (box.firstChild) { content.appendChild(box.firstChild); }
    held.push([box, content]);
  });
  function fill() {
    setTimeout(function () {
      held.forEach(function (pair) { pair[0].appendChild(pair[1]); pair[0].style.minHeight = ""; });
    }, 250);
  }
  if (document.readyState === "complete") { fill(); } else { window.addEventListener("load", fill); }
})();
