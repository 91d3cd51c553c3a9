// Progressive enhancement only: every action also works as a plain form without this script.
(function () {
  "use strict";
  var app = document.getElementById("app");
  var csrf = app ? app.getAttribute("data-csrf") : "";

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body || {})
    });
  }

  // The board: j/k move, c claims, o or Enter opens; claiming happens in place.
  var board = document.getElementById("board");
  if (board) {
    var rows = Array.prototype.slice.call(board.querySelectorAll("li.task"));
    var current = -1;
    function select(index) {
      if (!rows.length) { return; }
      if (current >= 0) { rows[current].classList.remove("selected"); }
      current = Math.max(0, Math.min(rows.length - 1, index));
      rows[current].classList.add("selected");
      rows[current].focus({ preventScroll: true });
      rows[current].scrollIntoView({ block: "nearest" });
    }
    function claim(row) {
      var form = row.querySelector("form.claim");
      if (!form) { return; }
      var id = row.getAttribute("data-task");
      var button = form.querySelector("button");
      button.disabled = true;
      post("/api/v1/tasks/" + id + "/claim").then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      }).then(function (result) {
        if (result.ok) {
          button.textContent = "Yours";
          row.querySelector(".due").appendChild(document.createTextNode(" · claimed by you"));
        } else {
          button.disabled = false;
          button.textContent = "Claim";
          window.alert(result.data.message || "Could not claim the task");
        }
      }).catch(function () { form.submit(); });
    }
    board.addEventListener("submit", function (event) {
      var form = event.target;
      if (form.classList && form.classList.contains("claim")) {
        event.preventDefault();
        claim(form.closest("li.task"));
      }
    });
    document.addEventListener("keydown", function (event) {
      var tag = (event.target.tagName || "").toLowerCase();
      if (tag === "input" || tag === "textarea" || tag === "select" || event.ctrlKey || event.metaKey || event.altKey) {
        return;
      }
      if (event.key === "j") { select(current + 1); event.preventDefault(); }
      else if (event.key === "k") { select(current - 1); event.preventDefault(); }
      else if (event.key === "c" && current >= 0) { claim(rows[current]); event.preventDefault(); }
      else if ((event.key === "o" || event.key === "Enter") && current >= 0) {
        var link = rows[current].querySelector("a.open");
        if (link) { window.location.href = link.href; event.preventDefault(); }
      }
    });
  }

  // The task page: the draft is checked as the agent types, and the offending spans are marked.
  var draftForm = document.getElementById("draft-form");
  if (draftForm) {
    var draft = document.getElementById("draft");
    var findings = document.getElementById("findings");
    var marked = document.getElementById("draft-marked");
    var taskId = parseInt(draftForm.getAttribute("data-task"), 10);
    var timer = null;
    var sent = 0;

    function paint(text, result) {
      while (marked.firstChild) { marked.removeChild(marked.firstChild); }
      var spans = result.findings.slice().sort(function (a, b) { return a.start - b.start; });
      var at = 0;
      spans.forEach(function (f) {
        var start = Math.max(f.start, at), end = Math.min(f.end, text.length);
        if (start >= end) { return; }
        marked.appendChild(document.createTextNode(text.slice(at, start)));
        var mark = document.createElement("mark");
        mark.className = "finding";
        mark.title = f.message;
        mark.textContent = text.slice(start, end);
        marked.appendChild(mark);
        at = end;
      });
      if (spans.length) { marked.appendChild(document.createTextNode(text.slice(at))); }
      while (findings.firstChild) { findings.removeChild(findings.firstChild); }
      var head = document.createElement("p");
      head.textContent = result.findings.length
        ? result.findings.length + " problem(s) found (language: " + (result.language || "unknown") + "):"
        : "No problems found.";
      findings.appendChild(head);
      var list = document.createElement("ul");
      result.findings.forEach(function (f) {
        var item = document.createElement("li");
        item.className = "finding-item";
        item.setAttribute("data-rule", f.rule);
        var rule = document.createElement("strong");
        rule.textContent = f.rule;
        item.appendChild(rule);
        item.appendChild(document.createTextNode(" \u201c" + text.slice(f.start, f.end) + "\u201d: " + f.message + " "));
        var hint = document.createElement("em");
        hint.textContent = f.suggestion;
        item.appendChild(hint);
        list.appendChild(item);
      });
      findings.appendChild(list);
      result.notes.forEach(function (note) {
        var p = document.createElement("p");
        p.className = "small";
        p.textContent = note;
        findings.appendChild(p);
      });
    }

    function check() {
      var text = draft.value;
      if (!text.trim()) { return; }
      var mine = ++sent;
      post("/api/v1/check-reply", { text: text, task_id: taskId }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (result) {
        if (result && mine === sent && draft.value === text) { paint(text, result); }
      }).catch(function () { /* the Check button still works */ });
    }

    draft.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(check, 400);
    });
    draftForm.addEventListener("submit", function (event) {
      event.preventDefault();
      check();
    });
  }
})();
