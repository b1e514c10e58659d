/** What each tool's register function receives: the MCP layer's deps (services, media, runtime…). */
export type { McpDeps as ToolDeps } from '../deps.js';
