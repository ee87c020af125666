// « Intégration dans un ENT »: shows the CAS URL of the ENT chosen (no inline script: CSP).
(function () {
  var urls = JSON.parse(document.getElementById("ent-urls").textContent);
  var select = document.getElementById("id_ent_project");
  var other = document.getElementById("id_other_cas_url");
  function fill() {
    var value = select.value === "Autre" ? other.value : (urls[select.value] || "");
    document.getElementById("url-cas").textContent = value;
  }
  select.addEventListener("change", fill);
  other.addEventListener("input", fill);
})();
