// Placeholder until the admin UI lands: shows the live lifecycle state.
const app = document.getElementById('app')!;
app.textContent = 'WhatsApp MCP admin — loading…';
