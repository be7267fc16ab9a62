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

// Follow-up report: collapse and expand a node's rows without reloading.
// The rows are in print order (a node, then its parts), so a node's
// subtree is the rows after it with a greater data-djup. Without script
// the page shows the depth chosen in the form.
document.addEventListener("DOMContentLoaded", () => {
  const rows = Array.from(document.querySelectorAll("table.report tbody tr[data-djup]"));
  const depth = (r) => Number(r.dataset.djup);
  const subtree = (i) => {
    const out = [];
    for (let j = i + 1; j < rows.length && depth(rows[j]) > depth(rows[i]); j++) out.push(j);
    return out;
  };
  const apply = () => {
    // A row is hidden when any node above it is collapsed.
    const hidden = new Array(rows.length).fill(false);
    rows.forEach((r, i) => {
      const b = r.querySelector("button.toggle");
      if (b && b.getAttribute("aria-expanded") === "false") subtree(i).forEach((j) => { hidden[j] = true; });
    });
    rows.forEach((r, i) => { r.hidden = hidden[i]; });
  };
  rows.forEach((r, i) => {
    if (subtree(i).length === 0) return;
    const th = r.querySelector("th");
    if (!th) return;
    const b = document.createElement("button");
    b.type = "button";
    b.className = "toggle noprint";
    b.setAttribute("aria-expanded", "true");
    const label = th.textContent.trim();
    b.setAttribute("aria-label", "Fäll ihop " + label);
    b.textContent = "−";
    b.addEventListener("click", () => {
      const open = b.getAttribute("aria-expanded") === "true";
      b.setAttribute("aria-expanded", open ? "false" : "true");
      b.setAttribute("aria-label", (open ? "Fäll ut " : "Fäll ihop ") + label);
      b.textContent = open ? "+" : "−";
      apply();
    });
    th.prepend(b);
  });
});
