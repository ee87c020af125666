// Long actions (reading an import file, validating a step) say that they are under way, next to
// their button (a live region), and a second click does not send the form again. A button with
// data-busy="text" is such an action; the page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form").forEach((form) => {
    if (!form.querySelector("button[data-busy]")) return;
    let sent = false;
    form.addEventListener("submit", (event) => {
      if (sent) { event.preventDefault(); return; }  // already on its way
      const button = event.submitter;
      if (!button || button.dataset.busy === undefined) return;  // a quick action
      sent = true;
      const status = document.getElementById(button.getAttribute("aria-describedby") || "");
      if (status) {
        status.textContent = "";
        window.setTimeout(() => { status.textContent = button.dataset.busy; }, 50);
      }
    });
    // Back to a page kept by the browser (back button): its form can be sent again.
    window.addEventListener("pageshow", (event) => {
      if (!event.persisted) return;
      sent = false;
      form.querySelectorAll("button[data-busy]").forEach((button) => {
        const status = document.getElementById(button.getAttribute("aria-describedby") || "");
        if (status) status.textContent = "";
      });
    });
  });
});
