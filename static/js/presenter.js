// Presenter mode: one slide at a time, moved by keyboard or a clicker (arrow keys, Page Up /
// Page Down, space, Home, End), with the room's notes and votes polled every 2 seconds.
const presenter = document.getElementById("presenter");
if (presenter) {
  const slides = [...presenter.querySelectorAll(".lr-slide")];
  const position = document.getElementById("slide-position");
  let current = 0;
  const show = (index) => {
    current = Math.max(0, Math.min(slides.length - 1, index));
    slides.forEach((slide, i) => { slide.hidden = i !== current; });
    position.textContent = `${current + 1} of ${slides.length}`;
    window.history.replaceState(null, "", `#slide-${current + 1}`);
  };
  const fromHash = Number.parseInt((window.location.hash.match(/^#slide-(\d+)$/) || [])[1], 10);
  if (fromHash) show(fromHash - 1);
  const forward = new Set(["ArrowRight", "ArrowDown", "PageDown", " ", "Enter", "n"]);
  const back = new Set(["ArrowLeft", "ArrowUp", "PageUp", "Backspace", "p"]);
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (target instanceof HTMLElement && target.closest("button, a, input, textarea, select")) {
      if (event.key === " " || event.key === "Enter") return; // let controls work as controls
    }
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (forward.has(event.key)) { show(current + 1); event.preventDefault(); }
    else if (back.has(event.key)) { show(current - 1); event.preventDefault(); }
    else if (event.key === "Home") { show(0); event.preventDefault(); }
    else if (event.key === "End") { show(slides.length - 1); event.preventDefault(); }
  });
  // A control gives focus back to the presentation once used, so that Space (a clicker's
  // usual "next") moves the slide instead of pressing the control again, e.g. after Escape
  // leaves full screen with the focus still on the Full screen button.
  const refocus = () => presenter.focus({ preventScroll: true });
  presenter.querySelectorAll("[data-slide]").forEach((button) => {
    button.addEventListener("click", () => {
      const action = button.dataset.slide;
      if (action === "next") show(current + 1);
      else if (action === "prev") show(current - 1);
      else if (action === "fullscreen" && presenter.requestFullscreen) presenter.requestFullscreen().catch(() => {});
      refocus();
    });
  });
  document.addEventListener("fullscreenchange", refocus);
  // The room wall: only what the facilitator has shown, polled every 2 seconds.
  const poll = async () => {
    try {
      const response = await fetch(presenter.dataset.roomUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.ok) {
        const data = await response.json();
        const notes = {};
        for (const note of data.notes) notes[note.node] = (notes[note.node] || 0) + 1;
        const votes = {};
        for (const vote of data.votes) votes[vote.node] = vote.count;
        presenter.querySelectorAll("[data-notes-for]").forEach((el) => { el.textContent = String(notes[el.dataset.notesFor] || 0); });
        presenter.querySelectorAll("[data-votes-for]").forEach((el) => { el.textContent = String(votes[el.dataset.votesFor] || 0); });
        document.getElementById("room-count").textContent = String(data.notes.length);
        document.getElementById("room-votes").textContent = String(data.vote_total);
        const list = document.getElementById("room-notes");
        list.replaceChildren(...data.notes.slice(-3).map((note) => {
          const item = document.createElement("li");
          item.textContent = `${note.node}: ${note.text}`;
          return item;
        }));
      }
    } catch (error) {
      // The network dropped: try again at the next tick.
    }
    window.setTimeout(poll, 2000);
  };
  poll();
}
