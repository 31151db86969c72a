// The facilitator's board: polls the workshop's board JSON every 2 seconds and redraws the
// notes, votes and proposals, with the accept / set-aside forms for what is still pending.
const board = document.getElementById("board");
if (board) {
  const labels = { made_likely: "What made this likely?", helped: "What helped?" };
  const text = (tag, className, value) => {
    const element = document.createElement(tag);
    if (className) element.className = className;
    element.textContent = value;
    return element;
  };
  const moderation = (urlTemplate, id, acceptLabel, hidden, acceptHref) => {
    const form = document.createElement("form");
    form.method = "post";
    form.className = "lr-inline-form";
    form.action = urlTemplate.replace(/\/0$/, `/${id}`);
    const csrf = document.createElement("input");
    csrf.type = "hidden";
    csrf.name = "csrf_token";
    csrf.value = board.dataset.csrf;
    form.append(csrf);
    const choices = [["accept", acceptLabel, "govuk-button--secondary"], ["reject", "Set aside", "govuk-button--warning"]];
    // A note is edited before it is accepted: its accept is a link to that page.
    for (const [value, label, style] of acceptHref ? choices.slice(1) : choices) {
      const button = text("button", `govuk-button ${style} lr-button-s`, label + " ");
      button.name = "decision";
      button.value = value;
      button.append(text("span", "govuk-visually-hidden", hidden));
      form.append(button, " ");
    }
    if (!acceptHref) return form;
    const link = text("a", "govuk-button govuk-button--secondary lr-button-s", `${acceptLabel} `);
    link.href = acceptHref.replace(/\/0\/accept$/, `/${id}/accept`);
    link.append(text("span", "govuk-visually-hidden", hidden));
    const both = document.createElement("div");
    both.className = "lr-inline-form";
    both.append(link, " ", form);
    return both;
  };
  const render = (data) => {
    const notes = document.getElementById("board-notes");
    notes.replaceChildren(
      ...data.notes.map((note) => {
        const item = document.createElement("li");
        item.className = `lr-note lr-note--${note.status}`;
        item.dataset.noteId = note.id;
        item.append(
          text("p", "govuk-body-s lr-note__meta", `${note.node}: ${note.node_label} · ${labels[note.prompt] || note.prompt} · ${note.by} · ${note.status}`),
          text("p", "govuk-body lr-prewrap", note.text),
        );
        if (note.status === "pending") item.append(moderation(board.dataset.noteUrl, note.id, "Edit and accept", `note ${note.id}`, board.dataset.acceptNoteUrl));
        return item;
      }),
    );
    document.getElementById("note-count").textContent = `(${data.notes.length})`;
    document.getElementById("vote-count").textContent = `(${data.vote_total})`;
    const votes = document.getElementById("board-votes");
    votes.replaceChildren(
      ...data.votes.map((vote) => {
        const item = document.createElement("li");
        item.dataset.node = vote.node;
        item.append(text("strong", "", String(vote.count)), ` · ${vote.node}: ${vote.label}`);
        return item;
      }),
    );
    const proposals = document.getElementById("board-proposals");
    proposals.replaceChildren(
      ...data.proposals.map((proposal) => {
        const item = document.createElement("li");
        item.className = `lr-note lr-note--${proposal.status}`;
        item.dataset.proposalId = proposal.id;
        item.append(
          text("p", "govuk-body-s lr-note__meta", `${proposal.type_label} · ${proposal.level_label} · ${proposal.by} · ${proposal.status}${proposal.factor ? " · " + proposal.factor : ""}`),
        );
        const label = text("p", "govuk-body lr-proposal__label", "");
        label.append(text("strong", "", proposal.label));
        item.append(label);
        if (proposal.description) item.append(text("p", "govuk-body lr-prewrap lr-proposal__description", proposal.description));
        if (proposal.status === "pending") item.append(moderation(board.dataset.proposalUrl, proposal.id, "Add as a factor", proposal.label));
        return item;
      }),
    );
    const joined = document.getElementById("board-participants");
    if (joined) joined.textContent = String(data.participants);
  };
  // The first poll reads everything; later polls ask only for what is newer than the cursors.
  const state = { notes: [], proposals: [], notesCursor: 0, proposalsCursor: 0, votes: "" };
  const poll = async () => {
    try {
      const query = `?notes_after=${state.notesCursor}&proposals_after=${state.proposalsCursor}`;
      const response = await fetch(board.dataset.boardUrl + query, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.ok) {
        const data = await response.json();
        const votes = JSON.stringify([data.votes, data.participants]);
        // Redraw only when something changed, so a button being pressed is not replaced.
        if (data.notes.length || data.proposals.length || votes !== state.votes || !state.drawn) {
          state.notes.push(...data.notes);
          state.proposals.push(...data.proposals);
          state.notesCursor = data.notes_cursor;
          state.proposalsCursor = data.proposals_cursor;
          state.votes = votes;
          state.drawn = true;
          render({ ...data, notes: state.notes, proposals: state.proposals });
        }
      }
    } catch (error) {
      // The network dropped: try again at the next tick.
    }
    window.setTimeout(poll, 2000);
  };
  poll();
}
