// Small progressive enhancements; every page works without this file.
"use strict";

// Dates: the browser refuses an end date that is not after the start date.
function linkDatePair(form) {
  const start = form.querySelector('input[name="start_date"]');
  const end = form.querySelector('input[name="end_date"]');
  if (!start || !end) return;
  const check = () => {
    const invalid = start.value && end.value && end.value <= start.value;
    end.setCustomValidity(invalid ? "The end date must be after the start date." : "");
    if (start.value) {
      const next = new Date(start.value + "T00:00:00Z");
      next.setUTCDate(next.getUTCDate() + 1);
      end.min = next.toISOString().slice(0, 10);
    }
  };
  start.addEventListener("change", check);
  end.addEventListener("input", check);
  check();
}

function enhance(root) {
  root.querySelectorAll("form").forEach(linkDatePair);
  const form = root.matches && root.matches("[data-edit-form]") ? root : root.querySelector("[data-edit-form]");
  if (form) {
    const invalid = form.querySelector('[aria-invalid="true"]');
    const first = invalid || form.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
  }
}

// Screen readers miss a live region that arrives with its text, so swapped-in status messages
// are repeated in the page's one permanent live region (#announcer in base.html).
function announce(root) {
  const announcer = document.getElementById("announcer");
  if (!announcer || !root.querySelectorAll) return;
  const messages = Array.from(root.querySelectorAll('[role="status"]:not(#announcer)'))
    .map((element) => element.textContent.trim())
    .filter(Boolean);
  if (!messages.length) return;
  announcer.textContent = "";
  // A fresh text node after a clear makes a repeated message ("Saved" twice) heard again.
  window.setTimeout(() => { announcer.textContent = messages.join(" "); }, 50);
}

// Escape cancels an inline edit.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const form = event.target.closest && event.target.closest("[data-edit-form]");
  const cancel = form && form.querySelector("[data-cancel]");
  if (cancel) {
    event.preventDefault();
    cancel.click();
  }
});

// Every htmx request shows the page-wide progress bar and marks its target busy.
let requestsInFlight = 0;
function requestStarted(event) {
  requestsInFlight += 1;
  document.documentElement.classList.add("is-loading");
  const target = event.detail.target;
  if (target) target.setAttribute("aria-busy", "true");
}
function requestEnded(event) {
  requestsInFlight = Math.max(0, requestsInFlight - 1);
  if (!requestsInFlight) document.documentElement.classList.remove("is-loading");
  const target = event.detail.target;
  if (target) target.removeAttribute("aria-busy");
}
document.addEventListener("htmx:beforeRequest", requestStarted);
document.addEventListener("htmx:afterRequest", requestEnded);

document.addEventListener("DOMContentLoaded", () => enhance(document));
document.addEventListener("htmx:afterSettle", (event) => {
  const target = event.detail.elt;
  enhance(target);
  announce(target);
  // After a save or cancel, keep the keyboard where the user was: on the row's edit link.
  if (!target.querySelector("[data-edit-form]")) {
    const link = target.querySelector("[data-edit-link]");
    if (link && target.id && target.id.startsWith("row-")) link.focus();
  }
});
