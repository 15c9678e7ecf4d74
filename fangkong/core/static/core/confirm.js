// Asks before a consequential action (meet, release, delete, revoke, withdraw): a form carrying
// data-confirm submits only when the user agrees. A file rather than inline handlers, so that a
// Content-Security-Policy without 'unsafe-inline' keeps it working.
document.addEventListener("submit", function (event) {
  var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
