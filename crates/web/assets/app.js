// Resurs: small progressive enhancements; every page works without script.
document.addEventListener("DOMContentLoaded", () => {
  // Ask before discarding an uploaded file.
  document.querySelectorAll("form[action*='/kasta']").forEach((f) => {
    f.addEventListener("submit", (e) => {
      if (!window.confirm("Kasta den uppladdade filen? Inget har sparats.")) e.preventDefault();
    });
  });
  // Disable a submit button while its form is sent (no double saves).
  document.querySelectorAll("form[method='post']").forEach((f) => {
    f.addEventListener("submit", () => {
      const b = f.querySelector("button[type='submit']");
      if (b) setTimeout(() => { b.disabled = true; }, 0);
    });
  });
});
