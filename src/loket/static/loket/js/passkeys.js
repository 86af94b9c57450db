// Passkeys (WebAuthn) for the staff login and the "My security" page.
// Progressive enhancement: without JavaScript or WebAuthn the page keeps its
// explanation and staff use a code from their app instead.
(function () {
  "use strict";

  if (!window.PublicKeyCredential || !navigator.credentials) {
    return;
  }

  function toBytes(value) {
    var base64 = value.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) {
      base64 += "=";
    }
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) {
      binary += String.fromCharCode(bytes[i]);
    }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function post(form, url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(form) },
      body: JSON.stringify(body || {}),
    }).then(function (response) {
      return response.json().then(function (data) {
        if (data.redirect) {
          window.location.assign(data.redirect);
        }
        if (!response.ok) {
          throw new Error(data.error || "");
        }
        return data;
      });
    });
  }

  function showError(form, message) {
    var box = form.querySelector("[data-passkey-error]");
    if (box) {
      box.textContent = message;
      box.hidden = !message;
    }
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      return { type: item.type, id: toBytes(item.id), transports: item.transports };
    });
  }

  function enable(form) {
    var nojs = form.querySelector("[data-passkey-nojs]");
    if (nojs) {
      nojs.hidden = true;
    }
    form.querySelectorAll("[data-passkey-button], [data-passkey-fields]").forEach(function (el) {
      el.hidden = false;
    });
  }

  function setUpLogin(form) {
    enable(form);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      showError(form, "");
      post(form, form.dataset.optionsUrl)
        .then(function (options) {
          return navigator.credentials.get({
            publicKey: {
              challenge: toBytes(options.challenge),
              rpId: options.rpId,
              timeout: options.timeout,
              userVerification: options.userVerification,
              allowCredentials: descriptors(options.allowCredentials),
            },
          });
        })
        .then(function (credential) {
          var response = credential.response;
          return post(form, form.dataset.submitUrl, {
            credential: {
              id: credential.id,
              rawId: toBase64url(credential.rawId),
              type: credential.type,
              response: {
                clientDataJSON: toBase64url(response.clientDataJSON),
                authenticatorData: toBase64url(response.authenticatorData),
                signature: toBase64url(response.signature),
                userHandle: response.userHandle ? toBase64url(response.userHandle) : null,
              },
              clientExtensionResults: credential.getClientExtensionResults(),
            },
          });
        })
        .catch(function (error) {
          showError(form, error.message || form.dataset.errorText || "");
        });
    });
  }

  function setUpRegistration(form) {
    enable(form);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      showError(form, "");
      var name = form.querySelector("input[name=name]");
      post(form, form.dataset.optionsUrl)
        .then(function (options) {
          return navigator.credentials.create({
            publicKey: {
              challenge: toBytes(options.challenge),
              rp: options.rp,
              user: {
                id: toBytes(options.user.id),
                name: options.user.name,
                displayName: options.user.displayName,
              },
              pubKeyCredParams: options.pubKeyCredParams,
              timeout: options.timeout,
              attestation: options.attestation,
              authenticatorSelection: options.authenticatorSelection,
              excludeCredentials: descriptors(options.excludeCredentials),
            },
          });
        })
        .then(function (credential) {
          var response = credential.response;
          return post(form, form.dataset.submitUrl, {
            name: name ? name.value : "",
            credential: {
              id: credential.id,
              rawId: toBase64url(credential.rawId),
              type: credential.type,
              response: {
                clientDataJSON: toBase64url(response.clientDataJSON),
                attestationObject: toBase64url(response.attestationObject),
                transports: response.getTransports ? response.getTransports() : [],
              },
              clientExtensionResults: credential.getClientExtensionResults(),
            },
          });
        })
        .catch(function (error) {
          showError(form, error.message || form.dataset.errorText || "");
        });
    });
  }

  document.querySelectorAll("form[data-passkey-login]").forEach(setUpLogin);
  document.querySelectorAll("form[data-passkey-register]").forEach(setUpRegistration);
})();
