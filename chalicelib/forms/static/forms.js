/* CRM website forms: sends the forms a page marks to the CRM with UTM tags and referrer.
   <script src="<base>/hooks/forms.js" data-crm-form="<webhook url>" async></script>
   Mark each form to send: <form data-crm-form>. Other forms (sign-in, search) stay the site's.
   Options on the tag: data-crm-selector="form#lead" (instead of marks), data-crm-honeypot
   (default "website_url"), data-crm-success="Thank you!" (text shown instead of the form).
   A form with a password field is never sent. */
(function () {
  "use strict";
  var tag = document.currentScript || document.querySelector("script[data-crm-form]");
  if (!tag) return;
  var url = tag.getAttribute("data-crm-form");
  var selector = tag.getAttribute("data-crm-selector") || "form[data-crm-form]";
  var trap = tag.getAttribute("data-crm-honeypot") || "website_url";
  var success = tag.getAttribute("data-crm-success");
  var KEY = "crm_attribution";
  var UTM = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"];

  function attribution() {
    // First touch of the visit: the landing page's UTM tags and referrer survive later navigation.
    var saved = null;
    try { saved = JSON.parse(sessionStorage.getItem(KEY) || "null"); } catch (e) { saved = null; }
    if (saved) return saved;
    var params = new URLSearchParams(location.search);
    var found = { crm_referrer: document.referrer || "", crm_page: location.href };
    UTM.forEach(function (name) { if (params.get(name)) found[name] = params.get(name); });
    try { sessionStorage.setItem(KEY, JSON.stringify(found)); } catch (e) { /* private mode */ }
    return found;
  }

  function addTrap(form) {
    if (form.querySelector("[name='" + trap + "']")) return;
    var input = document.createElement("input");
    input.type = "text";
    input.name = trap;
    input.tabIndex = -1;
    input.autocomplete = "off";
    input.setAttribute("aria-hidden", "true");
    input.style.cssText = "position:absolute;left:-9999px;width:1px;height:1px;opacity:0";
    form.appendChild(input);
  }

  function plainPost(form) {
    // No fetch or no network for it: let the browser post; the CRM redirects to the thank-you page.
    var extra = attribution();
    Object.keys(extra).forEach(function (name) {
      if (form.querySelector("[name='" + name + "']")) return;
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = extra[name];
      form.appendChild(input);
    });
    form.action = url;
    form.method = "post";
    form.enctype = "multipart/form-data";
    HTMLFormElement.prototype.submit.call(form);
  }

  function done(form, answer) {
    form.dispatchEvent(new CustomEvent("crm:submitted", { detail: answer, bubbles: true }));
    if (success) {
      var note = document.createElement("p");
      note.className = "crm-form-success";
      note.textContent = success;
      form.parentNode.replaceChild(note, form);
    } else {
      form.reset();
    }
  }

  function send(event) {
    var form = event.target;
    if (!window.fetch || !window.FormData) return plainPost(form);
    event.preventDefault();
    if (form.getAttribute("data-crm-sending")) return;
    form.setAttribute("data-crm-sending", "1");
    var body = new FormData(form);
    var extra = attribution();
    Object.keys(extra).forEach(function (name) { if (!body.has(name)) body.append(name, extra[name]); });
    fetch(url, { method: "POST", body: body, headers: { Accept: "application/json" }, mode: "cors" })
      .then(function (response) {
        form.removeAttribute("data-crm-sending");
        return response.json().then(function (answer) {
          if (response.ok) return done(form, answer);
          form.dispatchEvent(new CustomEvent("crm:error", { detail: answer, bubbles: true }));
        });
      })
      .catch(function () { form.removeAttribute("data-crm-sending"); plainPost(form); });
  }

  function warn(text) { if (window.console) console.warn("CRM forms: " + text); }

  function attach() {
    attribution();
    var forms = document.querySelectorAll(selector);
    if (!forms.length) warn("no form is marked: add data-crm-form to the <form> to send");
    Array.prototype.forEach.call(forms, function (form) {
      if (form.tagName !== "FORM" || form.getAttribute("data-crm-attached")) return;
      if (form.querySelector("input[type=password]")) return warn("a form with a password is never sent");
      form.setAttribute("data-crm-attached", "1");
      addTrap(form);
      form.addEventListener("submit", send);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", attach);
  else attach();
})();
