// Presenter mode: one slide at a time, moved by keyboard or a clicker (arrow keys, Page Up /
// Page Down, space, Home, End), each slide shrunk from 26px towards 18px (never below) until it
// fits the screen, and the room wall polled every 2 seconds: only what the facilitator showed.
const presenter = document.getElementById("presenter");
if (presenter) {
  const slides = [...presenter.querySelectorAll(".lr-slide")];
  const stage = presenter.querySelector(".lr-presenter__stage");
  const position = document.getElementById("slide-position");
  const LARGEST = 26;
  const SMALLEST = 18;
  let current = 0;
  // The largest size (in whole pixels, 18 at least) at which the slide is not cut off.
  const fit = () => {
    const slide = slides[current];
    for (let size = LARGEST; size >= SMALLEST; size -= 1) {
      stage.style.fontSize = `${size}px`;
      if (stage.scrollHeight <= stage.clientHeight + 1 && stage.scrollWidth <= stage.clientWidth + 1) break;
    }
    slide.dataset.fontSize = stage.style.fontSize;
  };
  const show = (index) => {
    current = Math.max(0, Math.min(slides.length - 1, index));
    slides.forEach((slide, i) => { slide.hidden = i !== current; });
    position.textContent = `${current + 1} of ${slides.length}`;
    window.history.replaceState(null, "", `#slide-${current + 1}`);
    fit();
  };
  const fromHash = Number.parseInt((window.location.hash.match(/^#slide-(\d+)$/) || [])[1], 10);
  show(fromHash ? fromHash - 1 : 0);
  window.addEventListener("resize", fit);
  const forward = new Set(["ArrowRight", "ArrowDown", "PageDown", " ", "Enter", "n"]);
  const back = new Set(["ArrowLeft", "ArrowUp", "PageUp", "Backspace", "p"]);
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (target instanceof HTMLElement && target.closest("button, a, input, textarea, select, summary")) {
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
  document.addEventListener("fullscreenchange", () => { fit(); refocus(); });
  presenter.querySelector(".lr-presenter__controls").addEventListener("toggle", fit);

  const wall = document.getElementById("room-notes");
  const room = presenter.querySelector(".lr-room");
  const ended = () => {
    const status = document.getElementById("presenter-status");
    if (status.textContent !== "This workshop has ended") status.textContent = "This workshop has ended";
  };
  // Newest first; the oldest that do not fit are left off rather than cut in half.
  const drawWall = (notes) => {
    wall.replaceChildren(...[...notes].reverse().map((note) => {
      const item = document.createElement("li");
      const node = document.createElement("span");
      node.className = "lr-room__node";
      node.textContent = note.node;
      item.append(node, ` ${note.text}`);
      if (note.upvotes) {
        const up = document.createElement("span");
        up.className = "lr-room__up";
        up.textContent = ` +${note.upvotes}`;
        item.append(up);
      }
      return item;
    }));
    while (wall.children.length > 1 && room.scrollHeight > room.clientHeight + 1) wall.lastElementChild.remove();
    document.getElementById("room-empty").hidden = notes.length > 0;
  };
  let drawn = "";
  const poll = async () => {
    try {
      const response = await fetch(presenter.dataset.roomUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.ok) {
        const data = await response.json();
        if (data.status !== "open") ended();
        const notes = {};
        for (const note of data.notes) notes[note.node] = (notes[note.node] || 0) + 1;
        const votes = {};
        for (const vote of data.votes) votes[vote.node] = vote.count;
        presenter.querySelectorAll("[data-notes-for]").forEach((el) => { el.textContent = String(notes[el.dataset.notesFor] || 0); });
        presenter.querySelectorAll("[data-votes-for]").forEach((el) => { el.textContent = String(votes[el.dataset.votesFor] || 0); });
        document.getElementById("room-count").textContent = String(data.notes.length);
        document.getElementById("room-votes").textContent = String(data.vote_total);
        const key = JSON.stringify(data.notes);
        if (key !== drawn) {
          drawn = key;
          drawWall(data.notes);
        }
      }
    } catch (error) {
      // The network dropped: try again at the next tick.
    }
    window.setTimeout(poll, 2000);
  };
  poll();
}
