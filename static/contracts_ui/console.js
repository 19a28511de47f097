// Small progressive enhancements; every page works without this file.
"use strict";

// Dates: the browser refuses an end date that is not after the start date. Chromium clears a
// half-typed date ("dd/mm/2" is already "0002-mm-dd") whenever its `min` is assigned, so the
// check runs when a date is complete (change) and `min` is only assigned when it really moves.
function linkDatePair(form) {
  const start = form.querySelector('input[name="start_date"]');
  const end = form.querySelector('input[name="end_date"]');
  if (!start || !end || form.dataset.datePair) return;
  form.dataset.datePair = "linked";
  const check = () => {
    const invalid = start.value && end.value && end.value <= start.value;
    end.setCustomValidity(invalid ? "The end date must be after the start date." : "");
    if (!start.value || document.activeElement === end) return;
    const next = new Date(start.value + "T00:00:00Z");
    next.setUTCDate(next.getUTCDate() + 1);
    const min = next.toISOString().slice(0, 10);
    if (end.min !== min) end.min = min;
  };
  start.addEventListener("change", check);
  end.addEventListener("change", check);
  end.addEventListener("blur", check);
  check();
}

// A date typed digit by digit is a valid (and wrong) date after each year digit: "2" is year
// 0002. A filter bar applies a date only once it has settled: the field left, or a four-digit
// year followed by a pause. It then fires "dates-settled" (its hx-trigger), never "change".
const DATE_PAUSE_MS = 700;
function settleDates(form) {
  if (!form.matches("[data-settle-dates]") || form.dataset.datesSettle) return;
  form.dataset.datesSettle = "watched";
  form.querySelectorAll('input[type="date"]').forEach((input) => {
    let applied = input.value;
    let timer = null;
    const settle = () => {
      window.clearTimeout(timer);
      if (input.value === applied || !input.checkValidity()) return;
      applied = input.value;
      input.dispatchEvent(new Event("dates-settled", { bubbles: true }));
    };
    input.addEventListener("input", () => {
      window.clearTimeout(timer);
      const year = Number(input.value.slice(0, 4));
      if (!input.value || year >= 1000) timer = window.setTimeout(settle, DATE_PAUSE_MS);
    });
    input.addEventListener("blur", settle);
    // The form's own "change" trigger would apply the date mid-typing.
    input.addEventListener("change", (event) => event.stopPropagation());
  });
}

function enhance(root) {
  const forms = Array.from(root.querySelectorAll("form"));
  if (root.matches && root.matches("form")) forms.push(root);
  forms.forEach(linkDatePair);
  forms.forEach(settleDates);
  root.querySelectorAll("input[data-price-list-picker]").forEach(pickPriceList);
  foldFilters(root);
  const form = root.matches && root.matches("[data-edit-form]") ? root : root.querySelector("[data-edit-form]");
  if (form) {
    const invalid = form.querySelector('[aria-invalid="true"]');
    const first = invalid || form.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
  }
}

// Below 700 px the table's filters fold behind "Filters (n active)", so the data comes first;
// once opened they stay open across the table's swaps. Without JavaScript they are open.
const NARROW = window.matchMedia("(max-width: 699px)");
let filtersOpened = false;
function foldFilters(root) {
  const fold = root.matches && root.matches("[data-fold-filters]") ? root : root.querySelector("[data-fold-filters]");
  if (!fold) return;
  fold.open = !NARROW.matches || filtersOpened;
  fold.addEventListener("toggle", () => { if (NARROW.matches) filtersOpened = fold.open; });
}
NARROW.addEventListener("change", () => foldFilters(document));

// The price-list picker: an ARIA 1.2 combobox over the field that takes the price list's id.
// What is typed (part of a name, or an id) asks the console for current price lists; picking
// one (click, or arrows then Enter) puts its id in the field and its description below.
const PICKER_PAUSE_MS = 250;
let pickers = 0;
function pickPriceList(input) {
  const form = input.closest("[data-price-list-options]");
  if (!form || input.dataset.picker) return;
  pickers += 1;
  const listbox = document.createElement("ul");
  listbox.id = `price-list-options-${pickers}`;
  listbox.className = "combobox__list";
  listbox.setAttribute("role", "listbox");
  listbox.setAttribute("aria-label", "Price lists");
  listbox.hidden = true;
  const picked = document.createElement("p");
  picked.className = "combobox__picked muted";
  picked.id = `price-list-picked-${pickers}`;
  picked.setAttribute("aria-live", "polite");
  input.dataset.picker = listbox.id;
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", listbox.id);
  input.setAttribute("aria-describedby", `${input.getAttribute("aria-describedby") || ""} ${picked.id}`.trim());
  input.after(listbox, picked);

  let timer = null;
  let asked = 0;
  const options = () => Array.from(listbox.querySelectorAll('[role="option"]:not([aria-disabled="true"])'));
  const close = () => {
    listbox.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  };
  const activate = (option) => {
    options().forEach((each) => each.setAttribute("aria-selected", String(each === option)));
    if (option) {
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    }
  };
  const pick = (option) => {
    input.value = option.dataset.value;
    picked.textContent = `Picked: ${option.textContent.replace(/\s+/g, " ").trim()}`;
    close();
    input.focus();
  };
  const ask = () => {
    const number = (asked += 1);
    const url = `${form.dataset.priceListOptions}?q=${encodeURIComponent(input.value.trim())}`;
    fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then((response) => response.text())
      .then((html) => {
        if (number !== asked) return; // a later keystroke asked again
        listbox.innerHTML = html;
        listbox.hidden = false;
        input.setAttribute("aria-expanded", "true");
        activate(null);
      })
      .catch(close);
  };
  input.addEventListener("input", () => {
    picked.textContent = "";
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, PICKER_PAUSE_MS);
  });
  input.addEventListener("keydown", (event) => {
    const all = options();
    const current = all.findIndex((option) => option.getAttribute("aria-selected") === "true");
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (listbox.hidden) { ask(); return; }
      const step = event.key === "ArrowDown" ? 1 : -1;
      activate(all[(current + step + all.length) % all.length] || null);
    } else if (event.key === "Enter" && !listbox.hidden && current >= 0) {
      event.preventDefault();
      pick(all[current]);
    } else if (event.key === "Escape" && !listbox.hidden) {
      // Closes the suggestions only; a second Escape cancels the edit.
      event.preventDefault();
      event.stopPropagation();
      close();
    }
  });
  // mousedown, not click: it comes before the field's blur closes the list.
  listbox.addEventListener("mousedown", (event) => {
    const option = event.target.closest('[role="option"]:not([aria-disabled="true"])');
    if (!option) return;
    event.preventDefault();
    pick(option);
  });
  input.addEventListener("blur", () => window.setTimeout(close, 150));
}

// Screen readers miss a live region that arrives with its text, so swapped-in status messages
// (and the console's own messages, marked data-announce) are repeated in the page's one
// permanent live region (#announcer in base.html).
let announcing = null; // the timer of the announcement about to be made
let standingError = ""; // an exchange's error stays in what is announced until the next request

function announceText(text, { error = false } = {}) {
  const announcer = document.getElementById("announcer");
  if (!announcer || !text) return;
  if (error) standingError = text;
  const full = error || !standingError ? text : `${standingError} ${text}`;
  announcer.textContent = "";
  window.clearTimeout(announcing);
  // A fresh text node after a clear makes a repeated message ("Saved" twice) heard again.
  announcing = window.setTimeout(() => { announcer.textContent = full; }, 50);
}

function announce(root) {
  if (!root.querySelectorAll) return;
  const messages = Array.from(root.querySelectorAll('[role="status"]:not(#announcer), [data-announce]'))
    .map((element) => element.textContent.replace(/\s+/g, " ").trim())
    .filter(Boolean);
  if (messages.length) announceText(messages.join(" "));
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

document.addEventListener("DOMContentLoaded", () => {
  enhance(document);
  announce(document);
});
// After htmx has set the page up, as restoring may open a form through htmx.
window.addEventListener("load", restoreDraft);
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

// Every htmx exchange ends in something a person understands. The server answers an ended
// session with HX-Redirect to the login page and a stale page (refused CSRF token) with a
// message in place; what only the browser sees (no connection, no answer in time, a page that a
// proxy wrote instead of the console) is shown here, at the form or the part that asked, with
// a Retry. What was typed in a form is kept across the login or the reload (see keepDraft).
const CONSOLE_ANSWER = "X-Console-Answer"; // contracts_ui.middleware.CONSOLE_ANSWER_HEADER
const SESSION_ENDED = "X-Console-Session"; // contracts_ui.middleware.SESSION_ENDED_HEADER
const UNREACHABLE = "Could not reach the console — check your connection and try again.";
const NO_ANSWER = "The console did not answer in time. Try again; if a change was being saved, reload the page first to see whether it was.";

function answerProblem(xhr) {
  const status = xhr.status;
  if (status === 204) return null;
  const text = xhr.responseText || "";
  if (!xhr.getResponseHeader(CONSOLE_ANSWER)) {
    return status >= 500
      ? `The console could not be reached (the server in front of it answered ${status}). Try again in a moment.`
      : `The answer did not come from the console (status ${status}). Try again in a moment.`;
  }
  if (!text.trim()) return "The console's answer was empty. Try again.";
  // One of our own whole error pages (403, 404, 500) is never put inside a part of the page.
  if (status >= 400 && /<html[\s>]/i.test(text)) {
    if (status === 403) return "Your role does not allow this.";
    if (status === 404) return "This is no longer here; it may have been deleted. Reload the page.";
    return "Something went wrong on our side. The error has been logged; try again in a moment.";
  }
  return null;
}

// Which element shows the message: the form that sent the request, else the part it updates.
function messagePlace(elt, target) {
  const form = elt && elt.closest ? elt.closest("form") : null;
  return form || target || elt;
}

const openMessages = new WeakMap(); // requesting element -> its message box

function clearMessages(elt, target) {
  const place = messagePlace(elt, target);
  if (place && place.querySelectorAll) place.querySelectorAll("[data-exchange-alert]").forEach((box) => box.remove());
  const box = elt && openMessages.get(elt);
  if (box) box.remove();
}

// The element that made the request: htmx:beforeSwap is fired on the target instead.
function requester(detail) {
  return (detail.requestConfig && detail.requestConfig.elt) || detail.elt;
}

function showExchangeError(detail, text) {
  const elt = requester(detail);
  const place = messagePlace(elt, detail.target);
  if (!place || !place.isConnected) return;
  clearMessages(elt, detail.target);
  const box = document.createElement("div");
  box.className = "alert alert--error";
  box.setAttribute("data-exchange-alert", "");
  const message = document.createElement("strong");
  message.textContent = text;
  const retry = document.createElement("button");
  retry.type = "button";
  retry.className = "button--secondary";
  retry.textContent = "Retry";
  retry.addEventListener("click", () => {
    box.remove();
    retryRequest(detail);
  });
  box.append(message, " ", retry);
  if (place.matches("form, section, div, main")) {
    const heading = place.querySelector(":scope > h1, :scope > h2, :scope > h3");
    if (heading) heading.after(box); else place.prepend(box);
  } else {
    place.before(box);
  }
  openMessages.set(elt, box);
  announceText(text, { error: true });
}

// Sends the same request again: a form is submitted again (as the person would, with the
// browser's own checks); anything else asks its URL again into its target.
function retryRequest(detail) {
  const elt = requester(detail);
  if (!elt || !elt.isConnected) {
    window.location.reload();
    return;
  }
  if (elt.matches("form")) {
    elt.requestSubmit();
    return;
  }
  const verb = detail.requestConfig ? detail.requestConfig.verb : "get";
  const path = detail.requestConfig ? detail.requestConfig.path : detail.pathInfo.requestPath;
  // The failure, if any, shows its own message; the promise's rejection needs no more.
  htmx.ajax(verb, path, { source: elt, target: detail.target }).catch(() => {});
}

document.addEventListener("htmx:beforeRequest", (event) => {
  standingError = "";
  clearMessages(event.detail.elt, event.detail.target);
});
document.addEventListener("htmx:sendError", (event) => showExchangeError(event.detail, UNREACHABLE));
document.addEventListener("htmx:timeout", (event) => showExchangeError(event.detail, NO_ANSWER));
document.addEventListener("htmx:beforeSwap", (event) => {
  const problem = answerProblem(event.detail.xhr);
  if (!problem) return;
  event.detail.shouldSwap = false;
  showExchangeError(event.detail, problem);
});

// A form's typed values, kept in this tab's sessionStorage while the page goes away (to the login
// page, or a reload) and put back when the page it was on comes back; then forgotten. The CSRF
// token is not kept: the page brings a fresh one.
const DRAFT_KEY = "contracts_ui.draft";
const DRAFT_MAX_AGE_MS = 30 * 60 * 1000;

function keepDraft(form) {
  const fields = [];
  new FormData(form).forEach((value, name) => {
    if (name !== "csrfmiddlewaretoken" && typeof value === "string") fields.push([name, value]);
  });
  const draft = {
    page: window.location.pathname + window.location.search,
    action: form.getAttribute("action"),
    target: form.getAttribute("hx-target"),
    fields,
    savedAt: Date.now(),
  };
  window.sessionStorage.setItem(DRAFT_KEY, JSON.stringify(draft));
}

function formFor(action) {
  return Array.from(document.forms).find((form) => form.getAttribute("action") === action);
}

function putBack(form, fields) {
  const values = new Map();
  fields.forEach(([name, value]) => values.set(name, [...(values.get(name) || []), value]));
  form.querySelectorAll("input[name], select[name], textarea[name]").forEach((input) => {
    if (input.name === "csrfmiddlewaretoken" || !values.has(input.name)) {
      if (input.type === "checkbox") input.checked = false;
      return;
    }
    const kept = values.get(input.name);
    if (input.type === "checkbox" || input.type === "radio") input.checked = kept.includes(input.value);
    else input.value = kept[0];
  });
  const note = document.createElement("div");
  note.className = "alert alert--warning";
  note.setAttribute("data-exchange-alert", "");
  note.textContent = "What you typed before is back in the form. Check it, then Save.";
  const heading = form.querySelector(":scope > h1, :scope > h2, :scope > h3");
  if (heading) heading.after(note); else form.prepend(note);
  announceText(note.textContent);
}

function restoreDraft() {
  let draft;
  try {
    draft = JSON.parse(window.sessionStorage.getItem(DRAFT_KEY) || "null");
  } catch (error) {
    draft = null;
  }
  if (!draft) return;
  if (!(Date.now() - draft.savedAt < DRAFT_MAX_AGE_MS)) {
    window.sessionStorage.removeItem(DRAFT_KEY);
    return;
  }
  // Kept until its page comes back (the login page comes first).
  if (draft.page !== window.location.pathname + window.location.search) return;
  window.sessionStorage.removeItem(DRAFT_KEY);
  const open = formFor(draft.action);
  if (open) {
    putBack(open, draft.fields);
    return;
  }
  // The form was opened in place: open it again the same way, then put the values back.
  if (!draft.target || !document.querySelector(draft.target) || !window.htmx) return;
  htmx.ajax("GET", draft.action, { target: draft.target, swap: "outerHTML" })
    .then(() => {
      const form = formFor(draft.action);
      if (form) putBack(form, draft.fields);
    })
    .catch(() => {});
}

// The session ended: htmx is about to send the window to the login page; keep the form first.
document.addEventListener("htmx:beforeOnLoad", (event) => {
  if (event.detail.xhr.getResponseHeader(SESSION_ENDED) !== "ended") return;
  const form = event.detail.elt.closest && event.detail.elt.closest('form[method="post"]');
  if (form) keepDraft(form);
});

// Reload on a stale page's message: keep the form it stands in, then load the page afresh.
document.addEventListener("click", (event) => {
  const reload = event.target.closest && event.target.closest("[data-reload]");
  const form = reload && reload.closest('form[method="post"]');
  if (form) keepDraft(form);
});

// A part that came back with fabric's error (includes/fabric_error.html) offers Retry: it asks
// the part's own request again, in place. Without a record of that request (the part came with
// the page) the link loads the page afresh, which repeats it too.
const failedRequests = new Map(); // id of the part -> the htmx request that failed into it

document.addEventListener("htmx:afterRequest", (event) => {
  const target = event.detail.target;
  if (!target || !target.id) return;
  if (event.detail.xhr && event.detail.xhr.status >= 400) failedRequests.set(target.id, event.detail);
  else failedRequests.delete(target.id);
});

// A part's request asked again into the same part; a filter's new state goes into the URL, as
// it would have on success.
function askAgain(failed, id) {
  const url = failed.pathInfo.finalRequestPath;
  const elt = requester(failed);
  const push = elt && elt.closest && elt.closest('[hx-push-url="true"]');
  htmx.ajax(failed.requestConfig.verb, url, { target: `#${id}`, swap: "outerHTML" })
    .then(() => {
      if (push && !failedRequests.has(id)) window.history.pushState({ htmx: true }, "", url);
    })
    .catch(() => {});
}

document.addEventListener("click", (event) => {
  const retry = event.target.closest && event.target.closest("[data-retry]");
  if (!retry) return;
  for (let part = retry.parentElement; part; part = part.parentElement) {
    const failed = part.id && failedRequests.get(part.id);
    if (failed && failed.requestConfig.verb === "get") {
      event.preventDefault();
      retry.closest("[data-fabric-error]").remove();
      failedRequests.delete(part.id);
      askAgain(failed, part.id);
      return;
    }
  }
});

// A save that takes longer than a moment says so, and nothing can send it twice meanwhile.
const SAVE_PATIENCE_MS = 2000;
const STILL_SAVING = "Still saving: fabric has not answered yet. Please wait; the button is off until it does.";

function waitForSave(form) {
  const buttons = Array.from(form.querySelectorAll('button[type="submit"], button:not([type])'));
  buttons.forEach((button) => { button.disabled = true; });
  const timer = window.setTimeout(() => {
    if (!form.isConnected) return;
    const note = document.createElement("p");
    note.className = "alert alert--warning save-waiting";
    note.setAttribute("data-exchange-alert", "");
    note.setAttribute("data-save-waiting", "");
    note.textContent = STILL_SAVING;
    const actions = form.querySelector(".edit-form__actions") || form.lastElementChild;
    actions.before(note);
    announceText(STILL_SAVING);
  }, SAVE_PATIENCE_MS);
  return () => {
    window.clearTimeout(timer);
    form.querySelectorAll("[data-save-waiting]").forEach((note) => note.remove());
    buttons.forEach((button) => { button.disabled = false; });
  };
}

const savesInFlight = new WeakMap(); // form -> what ends its wait
document.addEventListener("htmx:beforeRequest", (event) => {
  const form = event.detail.elt.closest && event.detail.elt.closest('form[method="post"]');
  if (form && event.detail.requestConfig.verb === "post") savesInFlight.set(form, waitForSave(form));
});
document.addEventListener("htmx:afterRequest", (event) => {
  const form = event.detail.elt.closest && event.detail.elt.closest('form[method="post"]');
  const done = form && savesInFlight.get(form);
  if (done) {
    savesInFlight.delete(form);
    done();
  }
});
// A plain (not htmx) form: the page goes away when the answer comes; until then, the same.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (event.defaultPrevented || form.method !== "post" || form.hasAttribute("hx-post")) return;
  // After this turn, so the clicked button's name and value are still sent.
  window.setTimeout(() => waitForSave(form), 0);
});
// Back to a page kept in the browser's cache: its forms were left waiting.
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  document.querySelectorAll("[data-save-waiting]").forEach((note) => note.remove());
  document.querySelectorAll('form[method="post"] button:disabled').forEach((button) => { button.disabled = false; });
});
