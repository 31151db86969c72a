// Forms marked data-busy-message say what is happening while a slow request runs (a large
// import), and cannot be sent twice.
document.querySelectorAll("form[data-busy-message]").forEach((form) => {
  form.addEventListener("submit", () => {
    const status = form.querySelector(".lr-busy");
    if (status) status.textContent = form.dataset.busyMessage;
    form.querySelectorAll("button[type=submit]").forEach((button) => {
      button.setAttribute("aria-disabled", "true");
      button.addEventListener("click", (event) => event.preventDefault());
    });
  });
});

// Forms marked data-confirm ask before doing something hard to undo (deleting a factor with its
// links). Without JavaScript the form still works, as the server keeps the audit trail.
document.querySelectorAll("form[data-confirm]").forEach((form) => {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
});

// Forms marked data-autosubmit are sent as soon as one of their dropdowns changes (the import's
// column mapping is read again at once). Without JavaScript the form's own button sends it.
document.querySelectorAll("form[data-autosubmit]").forEach((form) => {
  form.querySelectorAll("select").forEach((select) => {
    select.addEventListener("change", () => form.requestSubmit());
  });
});
