// The register editor: Dutch messages while typing, a character counter, and rows to add and
// remove in the grouping fields. The page works without this script (the server checks on save).
(function () {
  "use strict";
  var EMAIL = /^[^@\s<>]+@[^@\s<>]+\.[A-Za-z]{2,}$/;
  var MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

  function visibleLength(text) {
    return text.replace(/<[^>]+>/g, "").replace(/\n/g, "").length;
  }

  function check(box) {
    var input = box.querySelector("input:not([type=checkbox]), textarea, select");
    var out = box.querySelector(".error");
    if (!input || !out) { return; }
    var value = input.value.trim();
    var label = box.dataset.label;
    var max = parseInt(box.dataset.max || "0", 10);
    var kind = box.dataset.kind;
    var msg = "";
    if (!value) {
      if (box.dataset.required) { msg = label + " is verplicht; vul dit veld in."; }
    } else if (max && visibleLength(value) > max) {
      msg = label + " is " + visibleLength(value).toLocaleString("nl-NL") + " tekens; maximaal " +
        max.toLocaleString("nl-NL") + ". Maak de tekst korter.";
    } else if (kind === "month" && !MONTH.test(value)) {
      msg = label + ": schrijf jaar-maand, bijvoorbeeld 2023-01.";
    } else if (kind === "url" && !/^https?:\/\//.test(value)) {
      msg = label + ": een link begint met https://";
    } else if (box.dataset.key === "contact_email" && !(EMAIL.test(value) || /^https:\/\//.test(value))) {
      msg = label + ": geef een e-mailadres (bijvoorbeeld algoritmes@gemeente.nl) of een https-link.";
    } else if (max && (kind === "longtext" || kind === "text")) {
      out.classList.add("count");
      out.textContent = "Nog " + (max - visibleLength(value)).toLocaleString("nl-NL") + " tekens over.";
      box.classList.remove("has-error");
      input.removeAttribute("aria-invalid");
      return;
    }
    out.classList.remove("count");
    out.textContent = msg;
    box.classList.toggle("has-error", !!msg);
    if (msg) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
  }

  function renumber(group) {
    var key = group.dataset.key;
    group.querySelectorAll("li.row").forEach(function (row, i) {
      row.querySelectorAll("input").forEach(function (input, j) {
        var id = "f-" + key + "-" + (j === 0 ? "t" : "l") + (i + 1);
        var lab = row.querySelector("label[for='" + input.id + "']");
        input.id = id;
        if (lab) { lab.setAttribute("for", id); }
      });
    });
  }

  function wireRow(group, row) {
    var remove = row.querySelector(".remove-row");
    remove.hidden = false;
    remove.addEventListener("click", function () {
      var rows = group.querySelectorAll("li.row");
      if (rows.length > 1) { row.remove(); } else { row.querySelectorAll("input").forEach(function (i) { i.value = ""; }); }
      renumber(group);
    });
  }

  document.querySelectorAll(".register-editor .field").forEach(function (box) {
    var input = box.querySelector("input:not([type=checkbox]), textarea, select");
    if (input && !box.querySelector(".grouping")) {
      input.addEventListener("input", function () { check(box); });
      input.addEventListener("blur", function () { check(box); });
    }
  });

  document.querySelectorAll(".register-editor .grouping").forEach(function (group) {
    group.querySelectorAll("li.row").forEach(function (row) { wireRow(group, row); });
    var add = group.querySelector(".add-row");
    add.hidden = false;
    add.addEventListener("click", function () {
      var rows = group.querySelectorAll("li.row");
      var copy = rows[rows.length - 1].cloneNode(true);
      copy.querySelectorAll("input").forEach(function (i) { i.value = ""; });
      group.querySelector("ol.rows").appendChild(copy);
      wireRow(group, copy);
      renumber(group);
      copy.querySelector("input").focus();
    });
  });
})();
