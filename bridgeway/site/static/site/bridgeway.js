// Quick exit: the button, or Escape pressed twice within two seconds, replaces this page
// (and its entry in the history) with a neutral site, so the back button does not return.
// As it goes it asks the server to forget the journey (answers, a reference, a report opened
// with its code), so whatever page Back does show holds nothing the person entered. The
// request is not trusted to one try: it is sent as the page goes and again on pagehide, and
// the server forgets an idle journey by itself in any case (frontdoor/leaving.py).
const LEFT_KEY = "bridgeway.left";
const REDRAW_KEY = "bridgeway.redraw";
const exitLink = document.querySelector("[data-quick-exit-link]");
const forget = document.querySelector("[data-quick-exit-forget]");
const forgetJourney = () => {
  if (!forget) return Promise.resolve();
  const url = forget.getAttribute("action");
  try {
    // keepalive lets the request outlive the page; sendBeacon is the fallback.
    return fetch(url, { method: "POST", keepalive: true, credentials: "same-origin" }).catch(() => {
      if (navigator.sendBeacon) navigator.sendBeacon(url);
    });
  } catch (error) {
    if (navigator.sendBeacon) navigator.sendBeacon(url);
    return Promise.resolve();
  }
};
if (exitLink) {
  let leaving = false;
  const leave = (event) => {
    if (event) event.preventDefault();
    if (leaving) return;
    leaving = true;
    document.body.style.display = "none";
    document.title = "BBC Weather";
    try {
      window.sessionStorage.setItem(LEFT_KEY, "1");
    } catch (error) {
      // Storage may be switched off; the server still forgets.
    }
    const go = () => window.location.replace(exitLink.getAttribute("href"));
    // Wait a moment for the server to forget (never long: leaving comes first).
    Promise.race([forgetJourney(), new Promise((resolve) => window.setTimeout(resolve, 400))]).then(go, go);
  };
  window.addEventListener("pagehide", () => {
    if (leaving && forget && navigator.sendBeacon) navigator.sendBeacon(forget.getAttribute("action"));
  });
  exitLink.addEventListener("click", leave);
  let lastEscape = 0;
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const now = Date.now();
    if (now - lastEscape < 2000) {
      leave(event);
    } else {
      lastEscape = now;
    }
  });
}

// Back into this site after a quick exit, in the same tab: whatever the browser put back
// into the forms is cleared, the server is asked once more to forget the journey, and the
// page is fetched again empty.
const comeBackAfterLeaving = (persisted) => {
  const [navigation] = performance.getEntriesByType("navigation");
  const back = persisted || (navigation && navigation.type === "back_forward");
  let left = false;
  try {
    left = window.sessionStorage.getItem(LEFT_KEY) === "1";
    // Kept while the person goes Back through old entries; a fresh visit ends it.
    const redrawn = window.sessionStorage.getItem(REDRAW_KEY) === "1";
    window.sessionStorage.removeItem(REDRAW_KEY);
    if (!back && !redrawn) window.sessionStorage.removeItem(LEFT_KEY);
  } catch (error) {
    return;
  }
  if (!left || !back) return;
  for (const form of document.querySelectorAll("form")) form.reset();
  // The page may have been drawn before the server forgot: draw it again once it has.
  document.body.style.visibility = "hidden";
  forgetJourney().then(() => {
    try {
      window.sessionStorage.setItem(REDRAW_KEY, "1");
    } catch (error) {
      // Without storage the next page simply ends the watch.
    }
    window.location.replace(window.location.pathname);
  });
};
comeBackAfterLeaving(false);
window.addEventListener("pageshow", (event) => {
  if (event.persisted) comeBackAfterLeaving(true);
});

// GOV.UK conditional reveal for radios: the questions under an answer show only when that
// answer is chosen. Without JavaScript everything stays visible and the server ignores the
// questions that do not apply (an anonymous report keeps no contact details).
document.body.classList.add("govuk-frontend-supported");
for (const group of document.querySelectorAll('[data-module="govuk-radios"]')) {
  const inputs = group.querySelectorAll('input[type="radio"]');
  const sync = () => {
    for (const input of inputs) {
      const targetId = input.getAttribute("data-aria-controls");
      if (!targetId) continue;
      const target = document.getElementById(targetId);
      if (!target) continue;
      // aria-controls only: aria-expanded is not allowed on a radio or checkbox (axe).
      input.setAttribute("aria-controls", targetId);
      target.classList.toggle("govuk-radios__conditional--hidden", !input.checked);
    }
  };
  for (const input of inputs) input.addEventListener("change", sync);
  sync();
}

// A report opened with its code closes on the server after a quarter of an hour without
// use; the page then reloads itself, so a screen left open does not keep showing it.
const opened = document.querySelector("[data-follow-up-seconds-left]");
if (opened) {
  const seconds = Number(opened.getAttribute("data-follow-up-seconds-left"));
  if (Number.isFinite(seconds)) {
    window.setTimeout(() => window.location.replace(window.location.pathname), (seconds + 1) * 1000);
  }
}

// Long lists of checkboxes (the districts a listing covers): a box that hides the ones whose
// names do not contain what is typed. Ticked boxes stay ticked while hidden. Without
// JavaScript the box stays hidden and the whole list shows.
for (const group of document.querySelectorAll("[data-filtered-choices]")) {
  const filter = group.querySelector("[data-choice-filter]");
  if (!filter) continue;
  filter.closest(".bw-choice-filter").hidden = false;
  const items = group.querySelectorAll(".govuk-checkboxes__item");
  filter.addEventListener("input", () => {
    const wanted = filter.value.trim().toLowerCase();
    for (const item of items) {
      item.hidden = wanted !== "" && !item.textContent.toLowerCase().includes(wanted);
    }
  });
}
