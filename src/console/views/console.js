// The console's only script besides htmx: a confirmation before acts marked data-confirm (CSP forbids inline code).
document.addEventListener('submit', (e) => {
  const form = e.target;
  const question = form instanceof HTMLFormElement ? form.dataset.confirm : undefined;
  if (question && !window.confirm(question)) e.preventDefault();
});
