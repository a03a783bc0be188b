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
