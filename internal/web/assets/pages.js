// Gatehouse hosted pages: encrypts the secrets of a form in the browser
// before it is sent. A form with data-key (the bank door's credential key,
// base64 SPKI) has, for each secret, a visible input without a name and a
// hidden input data-from=<that input's id>; on submit each secret is
// encrypted with RSA-OAEP SHA-256 (WebCrypto) into its hidden input, so
// only ciphertext leaves the browser. Without this script nothing of the
// secret is sent at all, and the page says that JavaScript is needed.
(function () {
  'use strict';
  function toBase64(buf) {
    var s = '';
    new Uint8Array(buf).forEach(function (c) { s += String.fromCharCode(c); });
    return btoa(s);
  }
  function fromBase64(b64) {
    var bin = atob(b64), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
    return out.buffer;
  }
  async function seal(form) {
    var key = await crypto.subtle.importKey('spki', fromBase64(form.dataset.key),
      { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt']);
    var hidden = form.querySelectorAll('input[data-from]');
    for (var i = 0; i < hidden.length; i++) {
      var src = document.getElementById(hidden[i].dataset.from);
      var ct = await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, key, new TextEncoder().encode(src.value));
      hidden[i].value = toBase64(ct);
    }
  }
  document.querySelectorAll('form[data-key]').forEach(function (form) {
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var button = form.querySelector('button[type=submit]');
      var failed = form.querySelector('[data-crypto-error]');
      if (button) { button.disabled = true; }
      seal(form).then(function () {
        form.submit();
      }, function () {
        if (button) { button.disabled = false; }
        if (failed) { failed.hidden = false; }
      });
    });
  });
})();
