/**
 * `request_pairing_code {phone}` (issue #14): link by an 8-character code typed on the phone instead of a QR.
 * Reserved by the lead; the pairing work fills it in.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolDeps } from '../tool-deps.js';

export function registerRequestPairingCodeTool(_server: McpServer, _deps: ToolDeps): void {
  // not registered yet
}
