// « Parcourir » without reloading the page; the form still works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("step-form");
  if (!form) return;
  const url = form.dataset.searchUrl, uai = form.dataset.uai;
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
      const response = await fetch(`${url}?uai=${encodeURIComponent(uai)}&q=${encodeURIComponent(input.value)}`,
                                   { credentials: "same-origin" });
      if (!response.ok) return;
      const { results } = await response.json();
      for (const result of results) {
        if (![...select.options].some((o) => o.value === String(result.id))) {
          select.add(new Option(`${result.label} — ${result.why}`, result.id));
        }
      }
      if (results.length) select.value = String(results[0].id);
      else alert("Aucun compte trouvé.");
    });
  });
});
