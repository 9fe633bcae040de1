/* Display conditions in the browser, mirroring forms/conditions.py (the server stays the reference).
   Without JavaScript every field shows, with a sentence saying when to fill it in; the server then
   ignores the answers of fields whose condition is not met. */
(function () {
  "use strict";
  var TRUE_WORDS = ["oui", "yes", "true", "vrai", "1"];
  var FALSE_WORDS = ["non", "no", "false", "faux", "0"];

  function parseNumber(value) {
    if (typeof value === "boolean" || value === null || value === undefined) return null;
    var text = String(value).trim().replace(",", ".").replace(/\s/g, "");
    if (text === "" || isNaN(Number(text))) return null;
    return Number(text);
  }
  function parseDate(value) {
    if (typeof value !== "string") return null;
    var text = value.trim(), m = text.match(/^(\d{1,2})\/(\d{1,2})\/(\d{4})$/);
    if (m) return new Date(Number(m[3]), Number(m[2]) - 1, Number(m[1]));
    m = text.match(/^(\d{4})-(\d{2})-(\d{2})$/);
    return m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : null;
  }
  function isEmpty(value) {
    return value === null || value === undefined || value === "" || (Array.isArray(value) && value.length === 0);
  }
  function same(answer, expected) {
    expected = String(expected).trim();
    if (typeof answer === "boolean") {
      var word = expected.toLowerCase();
      return (TRUE_WORDS.indexOf(word) >= 0 && answer) || (FALSE_WORDS.indexOf(word) >= 0 && !answer);
    }
    if (Array.isArray(answer)) return answer.some(function (item) { return same(item, expected); });
    var a = parseDate(answer), b = parseDate(expected);
    if (a && b) return a.getTime() === b.getTime();
    var x = parseNumber(answer), y = parseNumber(expected);
    if (x !== null && y !== null) return x === y;
    return String(answer).trim().toLowerCase() === expected.toLowerCase();
  }
  function compare(answer, expected) {
    var a = parseNumber(answer), b = parseNumber(expected);
    if (a === null || b === null) { a = parseDate(answer); b = parseDate(expected); }
    if (a === null || b === null) return null;
    return a > b ? 1 : (a < b ? -1 : 0);
  }
  function ageOn(birth, on) {
    var years = on.getFullYear() - birth.getFullYear();
    if (on.getMonth() < birth.getMonth() || (on.getMonth() === birth.getMonth() && on.getDate() < birth.getDate())) years -= 1;
    return years;
  }
  function evaluate(condition, answer) {
    var op = condition.operator || "equals", expected = condition.value || "";
    if (op === "is_empty") return isEmpty(answer);
    if (op === "is_not_empty") return !isEmpty(answer);
    if (isEmpty(answer)) return op === "not_equals";
    if (op === "equals") return same(answer, expected);
    if (op === "not_equals") return !same(answer, expected);
    if (op === "one_of") return expected.split(/[;\n]/).some(function (v) { return v.trim() && same(answer, v); });
    if (op === "greater_than" || op === "less_than") {
      var order = compare(answer, expected);
      return order === null ? false : (op === "greater_than" ? order > 0 : order < 0);
    }
    if (op === "age_under" || op === "age_at_least") {
      var birth = parseDate(answer), years = parseNumber(expected);
      if (!birth || years === null) return false;
      var on = parseDate(condition.reference_date || "") || new Date();
      var age = ageOn(birth, on);
      return op === "age_under" ? age < years : age >= years;
    }
    return true;
  }
  function valueOf(wrapper) {
    var inputs = wrapper.querySelectorAll("input, select, textarea");
    var radios = [], boxes = [], other = null;
    inputs.forEach(function (input) {
      if (input.type === "radio") radios.push(input);
      else if (input.type === "checkbox") boxes.push(input);
      else if (input.type !== "hidden" && other === null) other = input;
    });
    if (radios.length) { var checked = radios.filter(function (r) { return r.checked; })[0]; return checked ? checked.value : ""; }
    if (boxes.length === 1 && !boxes[0].value.match(/[^on]/)) return boxes[0].checked;
    if (boxes.length) return boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
    if (other && other.type === "file") return other.files.length ? other.value : (wrapper.querySelector(".field__current-file") ? "x" : "");
    return other ? other.value : "";
  }
  function sourceFor(element, key) {
    var scope = element.parentElement && element.parentElement.closest("[data-condition-scope]");
    var form = element.closest("form");
    var selector = '[data-key="' + key + '"]';
    return (scope && scope.querySelector(selector)) || (form && form.querySelector(selector));
  }
  function refresh(form) {
    form.querySelectorAll("[data-condition]").forEach(function (element) {
      var condition = JSON.parse(element.getAttribute("data-condition"));
      var source = sourceFor(element, condition.field);
      var shown = source ? (!source.hidden && evaluate(condition, valueOf(source))) : true;
      element.hidden = !shown;
    });
  }
  document.querySelectorAll("form[data-conditional-form]").forEach(function (form) {
    form.querySelectorAll("[data-condition-text]").forEach(function (text) { text.hidden = true; });
    form.addEventListener("input", function () { refresh(form); });
    form.addEventListener("change", function () { refresh(form); });
    refresh(form);
  });
  var summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
})();
