// Pickers of events, factors and people (templates/_macros/picker.html): the search box becomes
// a combobox (ARIA 1.2 pattern) over the API's POST search endpoints; the typed text goes in the
// request body with the page's CSRF token, never in a URL. Choosing an option adds it to the
// chosen items, ticked. Without JavaScript the form's Search button does the same by a round trip.
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function ukDate(iso) {
  const [year, month, rest] = (iso || "").split("-");
  if (!month) return year || "";
  const day = rest ? String(Number(rest.slice(0, 2))) + " " : "";
  const clock = rest && rest.includes("T") ? ` ${rest.split("T")[1].slice(0, 5)}` : "";
  return `${day}${MONTHS[Number(month) - 1]} ${year}${clock}`;
}

// An event's date at its own precision, as the server writes it ("c. 2022", "Mar 2024").
function whenOf(item) {
  let text = ukDate(item.date);
  if (item.end_date) text += ` to ${ukDate(item.end_date)}`;
  return item.date_precision === "approximate" ? `c. ${text}` : text;
}

// Factors and people come labelled by the server (app/pickers.py); events as it labels them.
function labelOf(item) {
  if (item.display) return item.display;
  return `${item.ref} · ${whenOf(item)} · ${(item.description || "").slice(0, 70)}`;
}

function setUp(root, number) {
  const input = root.querySelector("[data-picker-input]");
  const button = root.querySelector("[data-picker-button]");
  const chosen = root.querySelector("[data-picker-chosen]");
  if (!input || !chosen) return;
  const name = root.dataset.name;
  const multiple = root.dataset.multiple === "true";
  const plural = root.dataset.plural || "events"; // names the list: "Matching factors"
  let filters = {};
  try {
    filters = JSON.parse(root.dataset.searchFilters || "{}");
  } catch {
    filters = {};
  }
  const kind = multiple ? "checkbox" : "radio";
  const listId = `picker-${number}-list`;
  const list = document.createElement("ul");
  list.id = listId;
  list.className = "lr-picker__list";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", `Matching ${plural}`);
  list.hidden = true;
  const status = document.createElement("div");
  status.className = "govuk-visually-hidden";
  status.setAttribute("role", "status");
  input.insertAdjacentElement("afterend", list);
  root.appendChild(status);
  if (button) button.hidden = true;
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", listId);

  let items = [];
  let active = -1;
  let timer = null;
  let latest = 0;

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const highlight = (index) => {
    active = index;
    list.querySelectorAll("[role=option]").forEach((option, i) => {
      option.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    if (index >= 0) input.setAttribute("aria-activedescendant", `${listId}-${index}`);
    else input.removeAttribute("aria-activedescendant");
  };
  const choose = (item) => {
    let box = Array.from(chosen.querySelectorAll("input")).find((el) => el.value === item.ref);
    if (!box) {
      const wrapper = document.createElement("div");
      wrapper.className = `govuk-${kind}es__item`;
      box = document.createElement("input");
      box.className = `govuk-${kind}es__input`;
      box.type = kind;
      box.name = name;
      box.value = item.ref;
      box.id = `${name}-${item.ref}`;
      const label = document.createElement("label");
      label.className = `govuk-label govuk-${kind}es__label`;
      label.htmlFor = box.id;
      label.textContent = labelOf(item);
      wrapper.append(box, label);
      chosen.appendChild(wrapper);
    }
    box.checked = true;
    input.value = "";
    close();
    status.textContent = `${item.ref} chosen`;
    input.focus();
  };
  const show = (found) => {
    items = found;
    list.replaceChildren(
      ...found.map((item, i) => {
        const option = document.createElement("li");
        option.id = `${listId}-${i}`;
        option.className = "lr-picker__option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = labelOf(item);
        option.addEventListener("mousedown", (event) => event.preventDefault());
        option.addEventListener("click", () => choose(item));
        return option;
      }),
    );
    list.hidden = found.length === 0;
    input.setAttribute("aria-expanded", found.length ? "true" : "false");
    active = -1;
    const count = found.length === 1 ? "1 match" : `${found.length} matches`;
    status.textContent = found.length ? count : "Nothing matches";
  };
  const search = async () => {
    const text = input.value.trim();
    if (!text) {
      close();
      return;
    }
    const ask = ++latest;
    const response = await fetch(root.dataset.searchUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        Accept: "application/json",
        "Content-Type": "application/json",
        "X-CSRFToken": root.dataset.csrfToken || "",
      },
      body: JSON.stringify({ ...filters, q: text, limit: 10 }),
    });
    if (!response.ok || ask !== latest) return;
    const body = await response.json();
    // The answer is in the list's order (events by date); the one whose ref was typed comes
    // first, above those that only contain it ("E1" in a postcode or a file name).
    const typed = text.toUpperCase();
    const found = body.items || [];
    show([
      ...found.filter((item) => String(item.ref).toUpperCase() === typed),
      ...found.filter((item) => String(item.ref).toUpperCase() !== typed),
    ]);
  };

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && items.length) {
      event.preventDefault();
      if (list.hidden) show(items);
      highlight(Math.min(active + 1, items.length - 1));
    } else if (event.key === "ArrowUp" && items.length) {
      event.preventDefault();
      highlight(Math.max(active - 1, 0));
    } else if (event.key === "Enter") {
      event.preventDefault(); // Enter in the search box never submits the form
      if (active >= 0) choose(items[active]);
      else search();
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
}

document.querySelectorAll("[data-picker]").forEach((root, number) => setUp(root, number));
