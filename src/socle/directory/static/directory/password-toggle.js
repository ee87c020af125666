/* Show/hide toggle for password fields (the page works without it). The button's name says what
   it will do (« Afficher… », « Masquer… »): no aria-pressed beside it, which would read « Masquer
   le mot de passe, enfoncé » once the password shows. What changed is said once in a status. */
(function () {
  var texts = document.currentScript.dataset;
  var inputs = document.querySelectorAll("input[data-password-toggle]");
  if (!inputs.length) { return; }
  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  status.id = "password-toggle-status";
  inputs[0].form.appendChild(status);
  inputs.forEach(function (input) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-secondary btn-small";
    button.textContent = texts.show;
    button.setAttribute("aria-controls", input.id);
    /* Each button is named after its field (« Afficher le nouveau mot de passe »…). */
    function name(shown) {
      var label = shown ? input.dataset.hideLabel : input.dataset.showLabel;
      if (label) { button.setAttribute("aria-label", label); }
    }
    name(false);
    button.addEventListener("click", function () {
      var shown = input.type === "text";
      input.type = shown ? "password" : "text";
      button.textContent = shown ? texts.show : texts.hide;
      name(!shown);
      status.textContent = shown ? texts.hidden : texts.shown;
    });
    input.insertAdjacentElement("afterend", button);
  });
})();
