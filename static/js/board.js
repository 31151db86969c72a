// The facilitator's board: polls the workshop's board JSON every 2 seconds. New notes and
// proposals arrive in "Waiting for you" with Show / Edit and show / Set aside; nothing reaches
// the room wall until one of those is pressed (each a form: the page reloads with the result).
const board = document.getElementById("board");
if (board) {
  const labels = { made_likely: "What made this likely?", helped: "What helped?" };
  const text = (tag, className, value) => {
    const element = document.createElement(tag);
    if (className) element.className = className;
    element.textContent = value;
    return element;
  };
  const button = (decision, label, style, hidden) => {
    const element = text("button", `govuk-button ${style} lr-button-s`, `${label} `);
    element.name = "decision";
    element.value = decision;
    element.append(text("span", "govuk-visually-hidden", hidden));
    return element;
  };
  const link = (href, label, hidden) => {
    const element = text("a", "govuk-button govuk-button--secondary lr-button-s", `${label} `);
    element.href = href;
    element.append(text("span", "govuk-visually-hidden", hidden));
    return element;
  };
  const controls = (kind, id) => {
    const form = document.createElement("form");
    form.method = "post";
    form.className = "lr-inline-form";
    form.action = board.dataset[kind === "note" ? "noteUrl" : "proposalUrl"].replace(/\/0$/, `/${id}`);
    const csrf = document.createElement("input");
    csrf.type = "hidden";
    csrf.name = "csrf_token";
    csrf.value = board.dataset.csrf;
    const hidden = `${kind} ${id}`;
    form.append(csrf, button("show", "Show", "", hidden), " ");
    if (kind === "note") {
      form.append(
        link(board.dataset.showNoteUrl.replace(/\/0\/show$/, `/${id}/show`), "Edit and show", hidden), " ",
        link(board.dataset.acceptNoteUrl.replace(/\/0\/accept$/, `/${id}/accept`), "Edit and accept", hidden), " ",
      );
    }
    form.append(button("reject", "Set aside", "govuk-button--warning", hidden));
    return form;
  };
  const waiting = document.getElementById("board-waiting");
  const has = (kind, id) => board.querySelector(`[data-${kind}-id="${id}"]`) !== null;
  const add = (kind, item) => {
    if (has(kind, item.id) || item.status !== "pending" || item.shown) return;
    const li = document.createElement("li");
    li.className = "lr-note lr-note--pending";
    li.dataset[`${kind}Id`] = item.id;
    if (kind === "note") {
      li.append(
        text("p", "govuk-body-s lr-note__meta", `${item.node}: ${item.node_label} · ${labels[item.prompt] || item.prompt} · ${item.by}`),
        text("p", "govuk-body lr-prewrap", item.text),
      );
    } else {
      li.append(text("p", "govuk-body-s lr-note__meta", `Proposed factor · ${item.type_label} · ${item.level_label} · ${item.by}`));
      const label = text("p", "govuk-body lr-proposal__label", "");
      label.append(text("strong", "", item.label));
      li.append(label);
      if (item.description) li.append(text("p", "govuk-body lr-prewrap lr-proposal__description", item.description));
    }
    li.append(controls(kind, item.id));
    waiting.append(li);
  };
  const recount = () => {
    for (const list of board.querySelectorAll("ul[data-empty]")) {
      const count = list.querySelectorAll(":scope > li.lr-note").length;
      document.getElementById(list.id.replace("board-", "count-")).textContent = `(${count})`;
    }
  };
  recount();
  const cursors = { notes: 0, proposals: 0 };
  const poll = async () => {
    try {
      const query = `?notes_after=${cursors.notes}&proposals_after=${cursors.proposals}`;
      const response = await fetch(board.dataset.boardUrl + query, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.ok) {
        const data = await response.json();
        data.notes.forEach((note) => add("note", note));
        data.proposals.forEach((proposal) => add("proposal", proposal));
        cursors.notes = data.notes_cursor;
        cursors.proposals = data.proposals_cursor;
        recount();
        document.getElementById("vote-count").textContent = `(${data.vote_total})`;
        const votes = document.getElementById("board-votes");
        const drawn = JSON.stringify(data.votes);
        if (votes.dataset.drawn !== drawn) {
          votes.dataset.drawn = drawn;
          votes.replaceChildren(
            ...data.votes.map((vote) => {
              const item = document.createElement("li");
              item.dataset.node = vote.node;
              item.append(text("strong", "", String(vote.count)), ` · ${vote.node}: ${vote.label}`);
              return item;
            }),
          );
        }
        const joined = document.getElementById("board-participants");
        if (joined) joined.textContent = String(data.participants);
      }
    } catch (error) {
      // The network dropped: try again at the next tick.
    }
    window.setTimeout(poll, 2000);
  };
  poll();
}
