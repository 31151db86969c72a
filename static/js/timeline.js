// Zoom and pan for the server-drawn timeline, by buttons and by keyboard (+, -, arrows, 0).
// The drawing's positions are percentages of its width: zooming sets that width (its text
// keeps its size), panning scrolls the frame, and the agency names stay in their sticky column.
const svg = document.getElementById("timeline-svg");
const frame = svg ? svg.closest(".lr-timeline-frame") : null;
if (svg && frame) {
  const names = frame.querySelector(".lr-tl-names");
  const drawn = svg.width.baseVal.value;
  const visible = () => Math.max(200, frame.clientWidth - (names ? names.getBoundingClientRect().width : 0));
  const widest = () => Math.max(drawn, visible()) * 12;
  let width = drawn;
  const resize = (next) => {
    // Keep the moment at the middle of the view where it was.
    const middle = (frame.scrollLeft + visible() / 2) / width;
    width = Math.min(widest(), Math.max(visible(), next));
    svg.setAttribute("width", String(Math.round(width)));
    frame.scrollLeft = middle * width - visible() / 2;
  };
  const actions = {
    in: () => resize(width * 1.5),
    out: () => resize(width / 1.5),
    left: () => { frame.scrollLeft -= visible() / 4; },
    right: () => { frame.scrollLeft += visible() / 4; },
    // The whole period of the review in view at once, from its first year to its last.
    reset: () => { resize(visible()); frame.scrollLeft = 0; },
  };
  document.querySelectorAll("[data-zoom]").forEach((button) => {
    button.addEventListener("click", () => actions[button.dataset.zoom]());
  });
  frame.addEventListener("keydown", (event) => {
    const keys = { "+": "in", "=": "in", "-": "out", ArrowLeft: "left", ArrowRight: "right", "0": "reset" };
    if (keys[event.key] && (event.target === frame || event.key === "+" || event.key === "-")) {
      event.preventDefault();
      actions[keys[event.key]]();
    }
  });
}
