/* Caps Lock on while typing the password (a school computer left in capitals): said under the
   field, read with it (aria-describedby) and announced (role="status"); empty when off, so the
   field's description stays the error alone. The page works without it (cas/login.html). */
(function () {
  var password = document.getElementById("id_password");
  var note = document.getElementById("id_password_capslock");
  if (!password || !note) { return; }
  function update(event) {
    if (!event.getModifierState) { return; }
    var on = event.getModifierState("CapsLock");
    if (on === !note.hidden) { return; }
    note.hidden = !on;
    note.textContent = on ? note.getAttribute("data-text") : "";
  }
  password.addEventListener("keydown", update);
  password.addEventListener("keyup", update);
})();
