// The pipeline board: move cards between stages by drag and drop, and submit the per-card
// "Move" forms without reloading. Without JavaScript those forms post normally.
(() => {
  "use strict";
  const board = document.getElementById("pipeline-board");
  if (!board) return;
  const status = document.getElementById("pipeline-status");
  const errorBox = document.getElementById("pipeline-error");
  let dragged = null;

  const columnOf = (stage) => board.querySelector(`[data-stage-column="${CSS.escape(stage)}"]`);

  function setCount(column, delta) {
    const count = column.querySelector("[data-count]");
    const value = Number(count.dataset.count) + delta;
    count.dataset.count = String(value);
    count.textContent = value.toLocaleString();
    column.querySelector(".tc-column-empty").hidden = value > 0;
  }

  function showError(text) {
    errorBox.textContent = text;
    errorBox.classList.toggle("d-none", !text);
  }

  async function move(card, stage) {
    const from = card.dataset.stage;
    if (!stage || stage === from) return;
    const form = card.querySelector("form[data-move]");
    const body = new FormData(form);
    body.set("stage", stage);
    card.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const data = await response.json().catch(() => ({}));
      if (!response.ok) {
        const messages = Object.values(data.errors || {}).flat();
        showError(messages.join(" ") || "The card could not be moved. Reload the page and try again.");
        form.elements.stage.value = from;
        return;
      }
      showError("");
      const target = columnOf(data.stage);
      card.dataset.stage = data.stage;
      form.elements.stage.value = data.stage;
      if (target) {
        target.querySelector("[data-cards]").prepend(card);
        setCount(target, 1);
      } else {
        card.remove(); // a stage the board does not show (archived)
      }
      setCount(columnOf(from), -1);
      status.textContent = data.message;
      form.elements.stage.focus();
    } catch (error) {
      showError("The card could not be moved: the server did not answer. Try again.");
      form.elements.stage.value = from;
    } finally {
      card.removeAttribute("aria-busy");
    }
  }

  board.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-move]");
    if (!form) return;
    event.preventDefault();
    move(form.closest("[data-candidate]"), form.elements.stage.value);
  });

  board.addEventListener("dragstart", (event) => {
    const card = event.target.closest("[data-candidate]");
    if (!card) return;
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.candidate);
    card.classList.add("tc-dragging");
  });

  board.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("tc-dragging");
    dragged = null;
    board.querySelectorAll(".tc-drop-target").forEach((column) => column.classList.remove("tc-drop-target"));
  });

  board.addEventListener("dragover", (event) => {
    const column = event.target.closest("[data-stage-column]");
    if (!column || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    column.classList.add("tc-drop-target");
  });

  board.addEventListener("dragleave", (event) => {
    const column = event.target.closest("[data-stage-column]");
    if (column && !column.contains(event.relatedTarget)) column.classList.remove("tc-drop-target");
  });

  board.addEventListener("drop", (event) => {
    const column = event.target.closest("[data-stage-column]");
    if (!column || !dragged) return;
    event.preventDefault();
    column.classList.remove("tc-drop-target");
    move(dragged, column.dataset.stageColumn);
  });
})();
