// The printable reports' "Print" button. A static file, not an onclick attribute: the
// Content-Security-Policy runs scripts from /static only (api/security.py).
document.getElementById("print")?.addEventListener("click", () => window.print());
