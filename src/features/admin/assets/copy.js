// The console's only script: a "Copiar" button beside a secret shown once. Without it (or without
// the Clipboard API) the text stays selectable and the button stays hidden.
for (const button of document.querySelectorAll("button[data-copy]")) {
  const target = document.getElementById(button.getAttribute("data-copy"));
  if (!target || !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    await navigator.clipboard.writeText(target.textContent.trim());
    button.textContent = "Copiado";
  });
}
