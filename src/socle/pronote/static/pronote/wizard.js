// « Parcourir » without reloading the page; the form still works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("step-form");
  if (!form) return;
  const url = form.dataset.searchUrl, uai = form.dataset.uai, categorie = form.dataset.categorie;
  form.querySelectorAll("button.clear").forEach((button) => {
    button.addEventListener("click", () => {
      document.getElementById("row-" + button.dataset.row).value = "";
    });
  });
  form.querySelectorAll("button.browse").forEach((button) => {
    const row = button.dataset.row;
    const input = form.querySelector(`input[name="search-${row}"]`);
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") { event.preventDefault(); button.click(); }
    });
    button.addEventListener("click", async (event) => {
      event.preventDefault();
      const select = document.getElementById("row-" + row);
      const query = new URLSearchParams({ uai, categorie, q: input.value });
      const response = await fetch(`${url}?${query}`, { credentials: "same-origin" });
      if (!response.ok) return;
      const { results } = await response.json();
      // Results go first in the list; nothing is chosen for the administrator.
      const before = select.options[1] || null;
      for (const result of results) {
        if (![...select.options].some((o) => o.value === String(result.id))) {
          select.add(new Option(`${result.label} — ${result.why}`, result.id), before);
        }
      }
      if (!results.length) { alert(form.dataset.noResult); return; }
      select.focus();
      if (typeof select.showPicker === "function") { try { select.showPicker(); } catch (e) { /* needs a user gesture */ } }
    });
  });
});
