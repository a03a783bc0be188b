// Quick exit: the button, or Escape pressed twice within two seconds, replaces this page
// (and its entry in the history) with a neutral site, so the back button does not return.
const exitLink = document.querySelector("[data-quick-exit-link]");
if (exitLink) {
  const leave = (event) => {
    if (event) event.preventDefault();
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
      input.setAttribute("aria-controls", targetId);
      input.setAttribute("aria-expanded", input.checked ? "true" : "false");
      target.classList.toggle("govuk-radios__conditional--hidden", !input.checked);
    }
  };
  for (const input of inputs) input.addEventListener("change", sync);
  sync();
}
