// Zoom and pan for the server-drawn timeline SVG, by buttons and by keyboard (+, -, arrows, 0).
const svg = document.getElementById("timeline-svg");
const frame = svg ? svg.closest(".lr-timeline-frame") : null;
if (svg && frame) {
  const full = svg.viewBox.baseVal;
  const original = { x: full.x, y: full.y, width: full.width, height: full.height };
  let view = { ...original };
  const apply = () => svg.setAttribute("viewBox", `${view.x} 0 ${view.width} ${original.height}`);
  const actions = {
    in: () => { const c = view.x + view.width / 2; view.width = Math.max(200, view.width / 1.5); view.x = c - view.width / 2; },
    out: () => { const c = view.x + view.width / 2; view.width = Math.min(original.width, view.width * 1.5); view.x = c - view.width / 2; },
    left: () => { view.x -= view.width / 4; },
    right: () => { view.x += view.width / 4; },
    reset: () => { view = { ...original }; },
  };
  const act = (name) => {
    actions[name]();
    view.x = Math.min(Math.max(original.x, view.x), original.x + original.width - view.width);
    apply();
  };
  document.querySelectorAll("[data-zoom]").forEach((button) => {
    button.addEventListener("click", () => act(button.dataset.zoom));
  });
  frame.addEventListener("keydown", (event) => {
    const keys = { "+": "in", "=": "in", "-": "out", ArrowLeft: "left", ArrowRight: "right", "0": "reset" };
    if (keys[event.key] && (event.target === frame || event.key === "+" || event.key === "-")) {
      event.preventDefault();
      act(keys[event.key]);
    }
  });
}
