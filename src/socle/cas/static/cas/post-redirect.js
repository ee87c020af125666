/* CAS 3.0 §2.1.1 method=POST: the page's form posts the ticket to the service as soon as the
   page has loaded (cas/post_redirect.html; without JavaScript, its « Continuer » button). */
window.addEventListener("load", function () { document.forms[0].submit(); });
