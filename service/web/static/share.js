// A share link carries its secret after '#', which browsers never send in a request:
// this page reads it, forgets it from the address bar, and posts it with the form's
// CSRF token to sign this browser in. Nothing is loaded from anywhere else.
(function () {
  var form = document.getElementById("share-exchange");
  if (!form) return;
  var secret = window.location.hash.slice(1);
  if (!secret) return;
  if (window.history && window.history.replaceState) {
    window.history.replaceState(null, "", window.location.pathname);
  }
  form.elements.namedItem("token").value = secret;
  form.submit();
})();
