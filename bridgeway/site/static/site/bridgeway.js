// Quick exit: the button, or Escape pressed twice within two seconds, replaces this page
// (and its entry in the history) with a neutral site, so the back button does not return.
const exitLink = document.querySelector("[data-quick-exit-link]");
if (exitLink) {
  // A report opened with its code is closed on the way out, so the next person at this
  // device cannot open the follow-up page and read it. The beacon outlives the page.
  const finish = document.querySelector("[data-follow-up-finish]");
  const leave = (event) => {
    if (event) event.preventDefault();
    if (finish && navigator.sendBeacon) {
      navigator.sendBeacon(finish.getAttribute("action"), new FormData(finish));
    }
    document.body.style.display = "none";
    document.title = "BBC Weather";
    window.location.replace(exitLink.getAttribute("href"));
  };
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
