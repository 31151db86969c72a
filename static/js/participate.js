// Participant pages: what is typed into a note is kept on the server as it is typed (so that
// closing the workshop does not lose it), the room wall says when it has changed, and every
// page says "This workshop has ended" as soon as the facilitator closes it.
const live = document.getElementById("participant-live");
if (live) {
  const ended = () => {
    const banner = document.getElementById("workshop-ended");
    if (!banner.hidden) return;
    banner.hidden = false;
    live.dataset.ended = "true";
    for (const button of document.querySelectorAll("main button")) {
      button.disabled = true;
      button.setAttribute("aria-disabled", "true");
    }
  };
  const isEnded = (response) => response.status === 401 || response.redirected && response.url.includes("ended=1");

  const form = document.getElementById("note-form");
  if (form) {
    let timer = 0;
    let sent = "";
    const save = async () => {
      const data = new FormData(form);
      const key = `${data.get("node")}|${data.get("text")}`;
      if (key === sent || live.dataset.ended) return;
      try {
        const response = await fetch(live.dataset.draftUrl, { method: "POST", body: data, credentials: "same-origin" });
        if (isEnded(response)) ended();
        else if (response.ok) { sent = key; form.dataset.draftSaved = String(data.get("text")); }
      } catch (error) {
        // The network dropped: the next keystroke tries again.
      }
    };
    form.addEventListener("input", () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(save, 600);
    });
    // Sent: it is a note now, no longer a draft.
    form.addEventListener("submit", () => {
      window.clearTimeout(timer);
      live.dataset.ended = "sent";
    });
    // Typed before this script ran (a slow connection) or put back by the browser: keep it too.
    if (String(new FormData(form).get("text") || "").trim()) timer = window.setTimeout(save, 600);
  }

  const wallPage = live.dataset.wall === "true";
  let seen = null;
  const poll = async () => {
    try {
      const response = await fetch(live.dataset.roomUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (isEnded(response)) { ended(); return; }
      if (response.ok) {
        const data = await response.json();
        if (data.status !== "open") { ended(); return; }
        const key = JSON.stringify([data.notes.map((n) => [n.id, n.upvotes]), data.proposals.map((p) => [p.id, p.upvotes])]);
        if (wallPage && seen !== null && key !== seen) {
          const status = document.getElementById("wall-changed");
          status.replaceChildren("The wall has changed. ");
          const link = document.createElement("a");
          link.className = "govuk-link";
          link.href = window.location.pathname;
          link.textContent = "Show the latest";
          status.append(link);
        }
        seen = key;
      }
    } catch (error) {
      // The network dropped: try again at the next tick.
    }
    window.setTimeout(poll, 3000);
  };
  poll();
}
