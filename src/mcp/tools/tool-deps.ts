/** What each tool's register function receives: the process-wide deps plus the shared services. */
import type { Services } from '../../services/index.js';
import type { McpDeps } from '../deps.js';

export interface ToolDeps extends McpDeps {
  services: Services;
}
