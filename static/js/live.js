// Shows others' changes to this review within a few seconds, without a reload: polls
// GET /api/v1/reviews/{id}/changes?since=CURSOR (with the session cookie) every 3 seconds.
const box = document.getElementById("live-changes");
if (box) {
  const url = box.dataset.changesUrl;
  let cursor = null;
  const seen = [];
  const poll = async () => {
    try {
      const query = cursor === null ? "?latest=1" : `?since=${encodeURIComponent(cursor)}`;
      const response = await fetch(url + query, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.ok) {
        const body = await response.json();
        cursor = body.next_cursor;
        for (const change of body.items) {
          if (!change.mine) seen.push(change);
        }
        if (seen.length) render();
      }
    } catch (error) {
      // The network dropped: try again at the next tick.
    }
    window.setTimeout(poll, 3000);
  };
  const render = () => {
    box.replaceChildren();
    const heading = document.createElement("h2");
    heading.className = "govuk-heading-s";
    heading.textContent = "Changed by others since you opened this page";
    const list = document.createElement("ul");
    list.className = "govuk-list";
    for (const change of seen.slice(-8)) {
      const item = document.createElement("li");
      item.textContent = `${change.actor} ${change.action}d ${change.item} at ${change.time}`;
      list.append(item);
    }
    const reload = document.createElement("a");
    reload.className = "govuk-link";
    reload.href = window.location.href;
    reload.textContent = "Reload to see the changes";
    box.append(heading, list, reload);
  };
  poll();
}
