// « Parcourir » without reloading the page; the form still works without JavaScript.
// What a search did is said next to it, in the row's live region (no alert()).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("step-form");
  if (!form) return;
  const url = form.dataset.searchUrl, uai = form.dataset.uai, categorie = form.dataset.categorie;
  const texts = form.dataset;
  form.querySelectorAll("button.clear").forEach((button) => {
    button.addEventListener("click", () => {
      document.getElementById("row-" + button.dataset.row).value = "";
    });
  });
  form.querySelectorAll("button.browse").forEach((button) => {
    const row = button.dataset.row;
    const input = form.querySelector(`input[name="search-${row}"]`);
    const status = document.getElementById("search-status-" + row);
    const say = (text, isError) => {
      status.textContent = "";  // a repeated message is announced again
      status.classList.toggle("error", Boolean(isError));
      window.setTimeout(() => { status.textContent = text; }, 50);
    };
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") { event.preventDefault(); button.click(); }
    });
    button.addEventListener("click", async (event) => {
      event.preventDefault();
      if (!/[\p{L}\p{N}]/u.test(input.value)) { say(texts.needLetter, true); input.focus(); return; }
      const select = document.getElementById("row-" + row);
      const query = new URLSearchParams({ uai, categorie, q: input.value });
      let answer;
      try {
        const response = await fetch(`${url}?${query}`, {
          credentials: "same-origin", headers: { Accept: "application/json" },
        });
        answer = response.redirected ? null : await response.json();  // a login page: session over
        if (answer && !response.ok && !answer.error) answer = null;
      } catch (error) {
        answer = null;  // network down, or not JSON
      }
      if (!answer) { say(texts.failed, true); return; }
      if (answer.error) { say(answer.error, true); input.focus(); return; }
      const results = answer.results;
      if (!results.length) { say(texts.noResult, false); return; }
      // Results go first in the list, in their order — an account already proposed moves up
      // with its ranking —; nothing is chosen for the administrator.
      const found = new Set(results.map((result) => String(result.id)));
      const before = [...select.options].slice(1).find((o) => !found.has(o.value)) || null;
      for (const result of results) {
        const known = [...select.options].find((o) => o.value === String(result.id));
        select.add(known || new Option(`${result.label} — ${result.why}`, result.id), before);
      }
      // answer.more: more accounts match than listed — the server's sentence asks to refine
      say(answer.more || (results.length === 1 ? texts.foundOne : texts.foundMany).replace("{n}", results.length), false);
      select.focus();
      if (typeof select.showPicker === "function") { try { select.showPicker(); } catch (e) { /* needs a user gesture */ } }
    });
  });
});
